"""Headers and values in English or Chinese, as exporters' spreadsheets have them."""

import pytest

from tend.imports import columns, files


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("公司名称", "name"),
        ("客户名称", "name"),
        ("Company", "name"),
        ("Customer name", "name"),
        ("CUSTOMER_NAME", "name"),
        ("国家", "country"),
        ("Country ", "country"),
        ("城市", "city"),
        ("联系人", "contact.name"),
        ("邮箱", "contact.email"),
        ("电子邮件", "contact.email"),
        ("E-mail", "contact.email"),
        ("电话", "contact.phone"),
        ("手机", "contact.mobile"),
        ("微信", "contact.wechat"),
        ("负责人", "owner"),
        ("业务员", "owner"),
        ("Sales rep", "owner"),
        ("等级", "tier"),
        ("类型", "type"),
        ("币种", "currency"),
        ("付款方式", "payment_terms"),
        ("付款条件", "payment_terms"),
        ("贸易术语", "incoterm"),
        ("标签", "tags"),
        ("备注", "notes"),
        ("外部编号", "external_id"),
        ("客户编号", "external_id"),
        ("External ID", "external_id"),
        ("ERP ID", "external_id"),
        ("Contact 2 name", "contact2.name"),
        ("Contact 2 email", "contact2.email"),
        ("Email 3", "contact3.email"),
        ("联系人2", "contact2.name"),
        ("联系人2邮箱", "contact2.email"),
        ("Fax", None),
    ],
)
def test_a_header_is_recognised_in_english_or_chinese(header, key):
    assert columns.match_header(header) == key


def test_a_field_named_by_two_columns_is_taken_by_the_first_only():
    assert columns.auto_mapping(["Company", "公司名称", "Email"]) == ["name", None, "contact.email"]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("AE", "AE"),
        ("ae", "AE"),
        ("ARE", "AE"),
        ("United Arab Emirates", "AE"),
        ("UAE", "AE"),
        ("阿联酋", "AE"),
        ("美国", "US"),
        ("USA", "US"),
        ("德国", "DE"),
        ("Vietnam", "VN"),
        ("Viet Nam", "VN"),
        ("韩国", "KR"),
        ("South Korea", "KR"),
        ("Turkey", "TR"),
        ("Côte d'Ivoire", "CI"),
        ("沙特阿拉伯", "SA"),
        ("印度尼西亚", "ID"),
        ("中国", "CN"),
        ("Atlantis", None),
        ("XX", None),
    ],
)
def test_a_country_is_read_from_a_code_or_a_name(value, code):
    assert columns.country_code(value) == code


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [("a,b;c\n", ","), ("a;b;c\n", ";"), ("a\tb\tc\n", "\t"), ('"a;b",c\n', ","), ("a\n", ",")],
)
def test_the_delimiter_is_sniffed_from_the_header_line(text, delimiter):
    assert files.sniff_delimiter(text) == delimiter


def test_gbk_bytes_are_decoded_as_gb18030():
    assert files.decode("公司名称,国家".encode("gbk")) == ("公司名称,国家", "gb18030")
    assert files.decode("\ufeffCompany".encode()) == ("Company", "utf-8-sig")
