"""Normalising names and emails so that the same company is recognised when entered twice."""

import re
import unicodedata

LEGAL_SUFFIXES = {
    "co",
    "company",
    "corp",
    "corporation",
    "inc",
    "incorporated",
    "llc",
    "ltd",
    "limited",
    "plc",
    "gmbh",
    "ag",
    "kg",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "oy",
    "ab",
    "as",
    "pty",
    "pte",
    "fze",
    "fzco",
    "fzc",
    "fzllc",
    "est",
    "trading",
    "international",
    "intl",
    "group",
    "holding",
    "holdings",
    "sdn",
    "bhd",
    "tbk",
    "pt",
    "jsc",
    "ooo",
    "sl",
    "lda",
    "kft",
    "sro",
    "spzoo",
    "the",
    "and",
    "y",
    "e",
    "de",
}
CJK_SUFFIXES = ("有限责任公司", "股份有限公司", "有限公司", "公司", "集团")

# Addresses at these providers say nothing about which company a person works for.
FREE_MAIL_DOMAINS = {
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.uk",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "mail.ru",
    "yandex.ru",
    "qq.com",
    "163.com",
    "126.com",
    "sina.com",
    "sohu.com",
    "foxmail.com",
    "aliyun.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "protonmail.com",
    "proton.me",
    "rediffmail.com",
    "naver.com",
    "hanmail.net",
    "yahoo.co.jp",
    "libero.it",
    "orange.fr",
    "wanadoo.fr",
}


def name_key(name: str) -> str:
    """'Al Noor Trading Co., L.L.C.' and 'AL-NOOR TRADING LLC' give the same key."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    for suffix in CJK_SUFFIXES:
        text = text.replace(suffix, " ")
    text = re.sub(r"(?<=\b\w)\.(?=\w\b)", "", text)
    words = re.findall(r"\w+", text)
    kept = [word for word in words if word not in LEGAL_SUFFIXES]
    return "".join(kept or words)[:200]


def company_domain(email: str) -> str:
    """The email's domain when it identifies a company ('' for free-mail providers)."""
    domain = (email or "").strip().lower().rpartition("@")[2]
    return "" if not domain or domain in FREE_MAIL_DOMAINS else domain
