"""What a spreadsheet column can be imported into, and how headers and cell values in English or
Chinese are recognised (countries, currencies, choices)."""

import functools
import re
import unicodedata
from dataclasses import dataclass

import pycountry
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from tend.core import reference
from tend.customers.models import (
    BuyingRole,
    CustomerSource,
    CustomerStatus,
    CustomerType,
    Tier,
)

CONTACT_SLOTS = 5


@dataclass(frozen=True)
class Target:
    """A field a column can fill: a customer field, or a field of the n-th contact on the row."""

    key: str  # "country", "contact.email", "contact2.email"
    field: str  # the model field name
    label: str | Promise
    slot: int = 0  # 0 for the customer, 1..CONTACT_SLOTS for a contact


CUSTOMER_TARGETS = [
    Target("name", "name", _("Company name")),
    Target("local_name", "local_name", _("Local-language name")),
    Target("external_id", "external_id", _("External id (ERP)")),
    Target("country", "country", _("Country")),
    Target("city", "city", _("City")),
    Target("type", "type", _("Type")),
    Target("tier", "tier", _("Tier")),
    Target("status", "status", _("Status")),
    Target("owner", "owner", _("Owner")),
    Target("backup_owner", "backup_owner", _("Backup owner")),
    Target("source", "source", _("Source")),
    Target("territory", "territory", _("Territory")),
    Target("currency", "currency", _("Default currency")),
    Target("incoterm", "incoterm", _("Default Incoterm")),
    Target("payment_terms", "payment_terms", _("Payment terms")),
    Target("credit_limit", "credit_limit", _("Credit limit")),
    Target("tags", "tags", _("Tags")),
    Target("notes", "notes", _("Notes")),
    Target("cadence_days", "cadence_days", _("Contact every (days)")),
]
CONTACT_FIELDS = [
    ("name", _("name")),
    ("title", _("title")),
    ("email", _("email")),
    ("phone", _("phone")),
    ("mobile", _("mobile")),
    ("whatsapp", _("WhatsApp")),
    ("wechat", _("WeChat ID")),
    ("language", _("language")),
    ("role", _("role in buying")),
]


def contact_key(slot: int, field: str) -> str:
    return f"contact.{field}" if slot == 1 else f"contact{slot}.{field}"


def _contact_label(slot: int, field_label) -> Promise:
    def label() -> str:
        if slot == 1:
            return _("Contact: %(field)s") % {"field": field_label}
        return _("Contact %(n)s: %(field)s") % {"n": slot, "field": field_label}

    return lazy(label, str)()


CONTACT_TARGETS = [
    Target(contact_key(slot, field), field, _contact_label(slot, label), slot)
    for slot in range(1, CONTACT_SLOTS + 1)
    for field, label in CONTACT_FIELDS
]
TARGETS = {target.key: target for target in [*CUSTOMER_TARGETS, *CONTACT_TARGETS]}


def normalise_header(text: str) -> str:
    """'E-mail ', 'EMAIL' and 'e mail' read alike; Chinese characters are kept."""
    text = unicodedata.normalize("NFKC", str(text or "")).casefold()
    return "".join(ch for ch in text if ch.isalnum())


CUSTOMER_SYNONYMS = {
    "name": [
        "name",
        "company",
        "company name",
        "customer",
        "customer name",
        "client",
        "client name",
        "account",
        "account name",
        "importer",
        "buyer company",
        "公司",
        "公司名称",
        "公司名",
        "客户",
        "客户名称",
        "客户名",
        "企业名称",
        "单位名称",
    ],
    "local_name": [
        "local name",
        "local-language name",
        "native name",
        "本地名称",
        "当地名称",
        "中文名称",
        "中文名",
        "客户中文名",
    ],
    "external_id": [
        "external id",
        "erp id",
        "erp code",
        "erp number",
        "erp no",
        "customer id",
        "customer no",
        "customer number",
        "customer code",
        "account id",
        "account number",
        "client id",
        "id",
        "外部编号",
        "客户编号",
        "客户代码",
        "客户id",
        "erp编号",
        "编号",
    ],
    "country": ["country", "country code", "country/region", "nation", "国家", "国家/地区", "国别"],
    "city": ["city", "town", "城市", "所在城市"],
    "type": ["type", "customer type", "business type", "类型", "客户类型", "客户类别"],
    "tier": [
        "tier",
        "grade",
        "level",
        "rating",
        "customer tier",
        "customer grade",
        "等级",
        "客户等级",
        "级别",
        "客户级别",
    ],
    "status": ["status", "customer status", "状态", "客户状态"],
    "owner": [
        "owner",
        "account owner",
        "sales rep",
        "rep",
        "salesperson",
        "salesman",
        "account manager",
        "sales",
        "负责人",
        "业务员",
        "销售",
        "销售员",
        "跟进人",
        "客户经理",
        "所属人",
    ],
    "backup_owner": [
        "backup owner",
        "backup",
        "backup rep",
        "备用负责人",
        "协助人",
        "协同人",
        "备份负责人",
    ],
    "source": ["source", "lead source", "customer source", "来源", "客户来源"],
    "territory": ["territory", "sales territory", "区域", "销售区域", "片区"],
    "currency": ["currency", "default currency", "币种", "货币", "结算币种"],
    "incoterm": [
        "incoterm",
        "incoterms",
        "default incoterm",
        "trade term",
        "trade terms",
        "贸易术语",
        "价格条款",
        "成交方式",
    ],
    "payment_terms": [
        "payment terms",
        "payment term",
        "payment",
        "terms",
        "付款方式",
        "付款条件",
        "付款条款",
        "结算方式",
    ],
    "credit_limit": ["credit limit", "credit line", "信用额度", "授信额度", "信用限额"],
    "tags": ["tags", "tag", "labels", "label", "标签"],
    "notes": ["notes", "note", "remarks", "remark", "comments", "comment", "memo", "备注", "说明"],
    "cadence_days": [
        "cadence",
        "cadence days",
        "contact every",
        "contact every (days)",
        "联系周期",
        "跟进周期",
        "回访周期",
    ],
}
# The first contact's columns, as they are usually headed.
CONTACT_SYNONYMS = {
    "name": [
        "contact",
        "contact name",
        "contact person",
        "person",
        "联系人",
        "联系人姓名",
        "联系人名称",
        "姓名",
    ],
    "title": ["title", "job title", "position", "contact title", "职位", "职务", "头衔"],
    "email": [
        "email",
        "e-mail",
        "email address",
        "mail",
        "contact email",
        "邮箱",
        "电子邮件",
        "电子邮箱",
        "邮件",
        "邮箱地址",
    ],
    "phone": [
        "phone",
        "telephone",
        "tel",
        "phone number",
        "contact phone",
        "电话",
        "座机",
        "联系电话",
        "电话号码",
    ],
    "mobile": ["mobile", "mobile phone", "cell", "cell phone", "手机", "手机号", "手机号码"],
    "whatsapp": ["whatsapp", "whatsapp number"],
    "wechat": ["wechat", "wechat id", "weixin", "微信", "微信号"],
    "language": ["language", "contact language", "语言"],
    "role": ["role", "buying role", "contact role", "角色"],
}
# How the n-th contact's columns are told apart: "Contact 2 email", "Email 2", "联系人2邮箱".
SLOT_WORDS = {
    "name": (["name", ""], ["", "姓名"]),
    "title": (["title", "job title", "position"], ["职位", "职务"]),
    "email": (["email", "e-mail", "mail", "email address"], ["邮箱", "电子邮件", "邮件"]),
    "phone": (["phone", "tel", "telephone"], ["电话"]),
    "mobile": (["mobile", "cell"], ["手机"]),
    "whatsapp": (["whatsapp"], []),
    "wechat": (["wechat"], ["微信"]),
    "language": (["language"], ["语言"]),
    "role": (["role"], ["角色"]),
}


@functools.cache
def header_index() -> dict[str, str]:
    """Normalised header -> target key."""
    index: dict[str, str] = {}

    def add(text: str, key: str) -> None:
        index.setdefault(normalise_header(text), key)

    for key, words in CUSTOMER_SYNONYMS.items():
        for word in words:
            add(word, key)
    for field, words in CONTACT_SYNONYMS.items():
        for word in words:
            add(word, contact_key(1, field))
    for slot in range(1, CONTACT_SLOTS + 1):
        for field, (english, chinese) in SLOT_WORDS.items():
            key = contact_key(slot, field)
            for word in english:
                add(f"contact {slot} {word}", key)
                add(f"contact {word} {slot}", key)
                if word and field != "name":
                    add(f"{word} {slot}", key)
            for word in chinese:
                add(f"联系人{slot}{word}", key)
                add(f"联系人{word}{slot}", key)
                if word:
                    add(f"{word}{slot}", key)
    index.pop("", None)
    return index


def match_header(header: str) -> str | None:
    """The target a column header names, or None."""
    return header_index().get(normalise_header(header))


def auto_mapping(headers: list[str]) -> list[str | None]:
    """One target per column; a target already taken by an earlier column is not reused."""
    taken: set[str] = set()
    mapping: list[str | None] = []
    for header in headers:
        key = match_header(header)
        if key in taken:
            key = None
        if key:
            taken.add(key)
        mapping.append(key)
    return mapping


def resolve_target(text: str) -> str | None:
    """A target key from what a person typed: the key itself or anything a header may say."""
    text = (text or "").strip()
    if text in TARGETS:
        return text
    return match_header(text)


# Values -----------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower-case ASCII letters and digits only ('Côte d'Ivoire' -> 'cotedivoire')."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text.lower() if ch.isalnum())


def fold_cjk(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


COUNTRY_ALIASES = {
    "uae": "AE",
    "emirates": "AE",
    "dubai": "AE",
    "usa": "US",
    "us": "US",
    "america": "US",
    "unitedstatesofamerica": "US",
    "uk": "GB",
    "britain": "GB",
    "greatbritain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "russia": "RU",
    "korea": "KR",
    "southkorea": "KR",
    "northkorea": "KP",
    "vietnam": "VN",
    "turkey": "TR",
    "iran": "IR",
    "syria": "SY",
    "laos": "LA",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "moldova": "MD",
    "taiwan": "TW",
    "czechrepublic": "CZ",
    "ivorycoast": "CI",
    "holland": "NL",
    "thenetherlands": "NL",
    "ksa": "SA",
    "saudi": "SA",
    "hongkong": "HK",
    "macau": "MO",
    "macao": "MO",
    "palestine": "PS",
    "prc": "CN",
    "mainlandchina": "CN",
    "drc": "CD",
    "drcongo": "CD",
    "congokinshasa": "CD",
    "congobrazzaville": "CG",
    "capeverde": "CV",
    "eswatini": "SZ",
    "swaziland": "SZ",
    "burma": "MM",
    "macedonia": "MK",
    "brunei": "BN",
    "micronesia": "FM",
}
CHINESE_COUNTRIES = {
    "阿联酋": "AE",
    "阿拉伯联合酋长国": "AE",
    "迪拜": "AE",
    "美国": "US",
    "美利坚合众国": "US",
    "德国": "DE",
    "英国": "GB",
    "法国": "FR",
    "沙特": "SA",
    "沙特阿拉伯": "SA",
    "印度": "IN",
    "巴西": "BR",
    "俄罗斯": "RU",
    "俄罗斯联邦": "RU",
    "日本": "JP",
    "韩国": "KR",
    "南韩": "KR",
    "澳大利亚": "AU",
    "澳洲": "AU",
    "加拿大": "CA",
    "墨西哥": "MX",
    "越南": "VN",
    "泰国": "TH",
    "印度尼西亚": "ID",
    "印尼": "ID",
    "马来西亚": "MY",
    "新加坡": "SG",
    "尼日利亚": "NG",
    "南非": "ZA",
    "埃及": "EG",
    "土耳其": "TR",
    "西班牙": "ES",
    "意大利": "IT",
    "荷兰": "NL",
    "波兰": "PL",
    "智利": "CL",
    "阿根廷": "AR",
    "中国": "CN",
    "中国大陆": "CN",
    "香港": "HK",
    "中国香港": "HK",
    "澳门": "MO",
    "中国澳门": "MO",
    "台湾": "TW",
    "中国台湾": "TW",
    "菲律宾": "PH",
    "巴基斯坦": "PK",
    "孟加拉": "BD",
    "孟加拉国": "BD",
    "伊朗": "IR",
    "伊拉克": "IQ",
    "以色列": "IL",
    "卡塔尔": "QA",
    "科威特": "KW",
    "阿曼": "OM",
    "巴林": "BH",
    "约旦": "JO",
    "黎巴嫩": "LB",
    "摩洛哥": "MA",
    "阿尔及利亚": "DZ",
    "突尼斯": "TN",
    "肯尼亚": "KE",
    "埃塞俄比亚": "ET",
    "加纳": "GH",
    "坦桑尼亚": "TZ",
    "乌克兰": "UA",
    "哈萨克斯坦": "KZ",
    "乌兹别克斯坦": "UZ",
    "葡萄牙": "PT",
    "比利时": "BE",
    "瑞士": "CH",
    "瑞典": "SE",
    "挪威": "NO",
    "丹麦": "DK",
    "芬兰": "FI",
    "奥地利": "AT",
    "希腊": "GR",
    "爱尔兰": "IE",
    "捷克": "CZ",
    "匈牙利": "HU",
    "罗马尼亚": "RO",
    "新西兰": "NZ",
    "秘鲁": "PE",
    "哥伦比亚": "CO",
    "厄瓜多尔": "EC",
    "委内瑞拉": "VE",
    "缅甸": "MM",
    "柬埔寨": "KH",
    "斯里兰卡": "LK",
    "尼泊尔": "NP",
    "白俄罗斯": "BY",
    "格鲁吉亚": "GE",
    "阿塞拜疆": "AZ",
    "塞尔维亚": "RS",
    "保加利亚": "BG",
    "克罗地亚": "HR",
    "斯洛伐克": "SK",
    "巴拿马": "PA",
    "哥斯达黎加": "CR",
    "危地马拉": "GT",
    "多米尼加": "DO",
    "乌拉圭": "UY",
    "巴拉圭": "PY",
    "玻利维亚": "BO",
    "安哥拉": "AO",
    "坦赞尼亚": "TZ",
    "乌干达": "UG",
    "科特迪瓦": "CI",
    "塞内加尔": "SN",
    "喀麦隆": "CM",
    "利比亚": "LY",
    "苏丹": "SD",
    "也门": "YE",
}


@functools.cache
def country_index() -> dict[str, str]:
    """Folded code or name -> ISO 3166 alpha-2."""
    index: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        for text in (
            code,
            country.alpha_3,
            country.name,
            getattr(country, "official_name", ""),
            getattr(country, "common_name", ""),
        ):
            if text:
                index.setdefault(fold(text), code)
    for alias, code in COUNTRY_ALIASES.items():
        index.setdefault(alias, code)
    return index


def country_code(value: str) -> str | None:
    """'AE', 'are', 'United Arab Emirates', 'UAE', '阿联酋' -> 'AE'; None when unknown."""
    value = value.strip()
    if len(value) == 2 and value.upper() in reference.country_names():
        return value.upper()
    code = CHINESE_COUNTRIES.get(fold_cjk(value))
    if code:
        return code
    folded = fold(value)
    return country_index().get(folded) if folded else None


CHINESE_CURRENCIES = {
    "美元": "USD",
    "美金": "USD",
    "欧元": "EUR",
    "人民币": "CNY",
    "英镑": "GBP",
    "日元": "JPY",
    "港币": "HKD",
    "港元": "HKD",
    "迪拉姆": "AED",
    "卢布": "RUB",
    "澳元": "AUD",
    "加元": "CAD",
    "RMB": "CNY",
    "US$": "USD",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
}


def currency_code(value: str) -> str | None:
    value = value.strip()
    code = CHINESE_CURRENCIES.get(fold_cjk(value).upper()) or value.upper()
    return code if code in reference.currency_codes() else None


def _choice_index(choices, extra: dict[str, str]) -> dict[str, str]:
    index: dict[str, str] = {}
    for value, label in choices:
        index[value.casefold()] = value
        index[fold(str(label))] = value
        index[fold(value)] = value
    for text, value in extra.items():
        index[fold_cjk(text).casefold()] = value
        if fold(text):
            index[fold(text)] = value
    return index


CHOICE_EXTRAS = {
    "type": {
        "进口商": "importer",
        "分销商": "distributor",
        "经销商": "dealer",
        "代理商": "dealer",
        "零售商": "retailer",
        "品牌商": "brand",
        "品牌": "brand",
        "OEM": "brand",
        "brand": "brand",
        "wholesaler": "distributor",
        "批发商": "distributor",
    },
    "tier": {"A级": "A", "B级": "B", "C级": "C", "A类": "A", "B类": "B", "C类": "C"},
    "status": {
        "潜在": "prospect",
        "潜在客户": "prospect",
        "意向客户": "prospect",
        "活跃": "active",
        "合作中": "active",
        "成交客户": "active",
        "休眠": "dormant",
        "沉睡": "dormant",
        "流失": "lost",
        "丢失": "lost",
        "挽回": "won_back",
        "赢回": "won_back",
        "won back": "won_back",
        "lead": "prospect",
    },
    "source": {
        "展会": "trade_fair",
        "网站": "website",
        "官网": "website",
        "阿里巴巴": "marketplace",
        "B2B平台": "marketplace",
        "平台": "marketplace",
        "推荐": "referral",
        "转介绍": "referral",
        "开发信": "outreach",
        "主动开发": "outreach",
        "代理": "agent",
        "其他": "other",
        "fair": "trade_fair",
        "exhibition": "trade_fair",
    },
    "language": {
        "英语": "en",
        "英文": "en",
        "中文": "zh",
        "汉语": "zh",
        "阿拉伯语": "ar",
        "西班牙语": "es",
        "葡萄牙语": "pt",
        "法语": "fr",
        "德语": "de",
        "意大利语": "it",
        "荷兰语": "nl",
        "波兰语": "pl",
        "俄语": "ru",
        "土耳其语": "tr",
        "日语": "ja",
        "韩语": "ko",
        "越南语": "vi",
        "泰语": "th",
        "印尼语": "id",
        "马来语": "ms",
        "印地语": "hi",
        "波斯语": "fa",
        "希伯来语": "he",
        "瑞典语": "sv",
        "希腊语": "el",
        "乌克兰语": "uk",
        "罗马尼亚语": "ro",
        "捷克语": "cs",
        "匈牙利语": "hu",
        "斯瓦希里语": "sw",
        "其他": "other",
    },
    "role": {
        "决策人": "decision_maker",
        "老板": "decision_maker",
        "采购": "buyer",
        "采购员": "buyer",
        "影响者": "influencer",
        "技术": "technical",
        "质检": "technical",
        "财务": "finance",
        "物流": "logistics",
        "其他": "other",
    },
}
CHOICES = {
    "type": CustomerType.choices,
    "tier": Tier.choices,
    "status": CustomerStatus.choices,
    "source": CustomerSource.choices,
    "language": reference.LANGUAGES,
    "role": BuyingRole.choices,
    "incoterm": [(code, code) for code, _label in reference.INCOTERMS_2020],
}


@functools.cache
def choice_index(field: str) -> dict[str, str]:
    return _choice_index(CHOICES[field], CHOICE_EXTRAS.get(field, {}))


def choice_value(field: str, value: str) -> str | None:
    """A choice's stored value from its value, its English label or a Chinese word."""
    index = choice_index(field)
    value = value.strip()
    return (
        index.get(value.casefold())
        or index.get(fold_cjk(value).casefold())
        or index.get(fold(value) or "\0")
    )


def choice_values(field: str) -> list[str]:
    return [value for value, _label in CHOICES[field]]


POOL_WORDS = {"pool", "thepool", "none", "nobody", "公海", "公共池", "无"}
TAG_SEPARATORS = re.compile(r"[,，;；、|]")
