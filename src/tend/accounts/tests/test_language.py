"""Each person reads Tend in the language they chose, on every device, whatever the browser says."""

from datetime import date

import pytest
from django.utils import translation

from tend.accounts.models import User
from tend.agenda.local import holiday_name
from tend.core import reference


def _switch(client, language, next_url="/customers/"):
    return client.post("/accounts/language/", {"language": language, "next": next_url})


def test_a_rep_who_switches_to_chinese_reads_chinese_with_an_english_browser(client, rep1):
    client.force_login(rep1)

    response = _switch(client, "zh-hans")

    assert (response.status_code, response["Location"]) == (302, "/customers/")
    rep1.refresh_from_db()
    assert rep1.language == "zh-hans"
    client.cookies.clear()  # another device: only the saved choice is left
    client.force_login(rep1)
    page = client.get("/customers/", headers={"accept-language": "en"})
    assert page.headers["Content-Language"] == "zh-hans"
    assert "<h1>客户</h1>" in page.content.decode()
    assert 'name="language" value="en"' in page.content.decode()  # the way back


def test_switching_back_to_english(client, rep1):
    User.objects.filter(pk=rep1.pk).update(language="zh-hans")
    client.force_login(rep1)

    _switch(client, "en")

    page = client.get("/customers/", headers={"accept-language": "zh-CN"})
    assert "<h1>Customers</h1>" in page.content.decode()


@pytest.mark.parametrize("language", ["fr", "zh-hans<script>", "x" * 50])
def test_an_unknown_language_is_refused_and_nothing_changes(client, rep1, language):
    client.force_login(rep1)

    response = _switch(client, language)

    assert response.status_code == 400
    rep1.refresh_from_db()
    assert rep1.language == ""


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_the_switch_only_returns_to_a_page_of_tend(client, rep1, target):
    client.force_login(rep1)

    response = _switch(client, "zh-hans", next_url=target)

    assert response["Location"] == "/"


def test_the_switch_needs_a_signed_in_person_and_a_post(client, rep1):
    assert _switch(client, "zh-hans").status_code == 302  # to the login page
    client.force_login(rep1)
    assert client.get("/accounts/language/").status_code == 405
    rep1.refresh_from_db()
    assert rep1.language == ""


def test_country_names_follow_the_readers_language():
    assert reference.country_names("en")["AE"] == "United Arab Emirates"
    assert reference.country_names("zh-hans")["AE"] == "阿联酋"
    with translation.override("zh-hans"):
        assert reference.country_names()["NG"] == "尼日利亚"
        assert dict(reference.country_choices())["CN"] == "中国"


def test_holidays_are_named_in_the_readers_language_where_the_package_has_it():
    with translation.override("zh-hans"):
        assert holiday_name("CN", date(2026, 10, 1)) == "国庆节"
        assert holiday_name("DE", date(2026, 12, 25)) == "Christmas Day"  # no Chinese: English
    with translation.override("en"):
        assert holiday_name("CN", date(2026, 10, 1)) == "National Day"
        assert holiday_name("AE", date(2026, 12, 2)) == "National Day"  # not the Arabic default


def test_a_day_is_written_the_chinese_way_in_chinese():
    from django.utils.formats import date_format

    from tend.core.templatetags.days import long_day

    with translation.override("zh-hans"):
        assert long_day(date(2026, 12, 5)) == "2026年12月5日 星期六"
        assert date_format(date(2026, 12, 5)) == "2026年12月5日"
    with translation.override("en"):
        assert long_day(date(2026, 12, 5)) == "Saturday 5 December 2026"
        assert date_format(date(2026, 12, 5)) == "5 Dec 2026"
