"""Simplified Chinese: the pages speak it when the browser asks for it, and the committed
catalogue (.po and its compiled .mo) is complete and in step."""

import ast
import gettext
from pathlib import Path

import pytest
from django.conf import settings

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"


@pytest.mark.parametrize("how", ["header", "cookie"])
def test_customer_list_in_simplified_chinese(client, rep1, book, how):
    client.force_login(rep1)
    if how == "cookie":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
        response = client.get("/customers/")
    else:
        response = client.get("/customers/", headers={"accept-language": "zh-CN,zh;q=0.9"})
    html = response.content.decode()
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in html
    assert "<h1>客户</h1>" in html  # template string
    assert "新建客户" in html  # the "New customer" button
    assert "所有国家" in html  # a form choice, from gettext_lazy in forms.py
    assert "3 个客户" in html  # the plural form: rep1 sees three customers of the book


def test_english_stays_the_default(client, rep1):
    client.force_login(rep1)
    html = client.get("/customers/", headers={"accept-language": "en"}).content.decode()
    assert "<h1>Customers</h1>" in html
    assert "客户" not in html


def _po_entries(path: Path) -> list[dict]:
    """The live entries of a .po file written by makemessages (entries are separated by blank
    lines): msgctxt, msgid, msgid_plural, msgstr or msgstr[n], and the flags."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict = {"flags": set()}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#") or not line.strip():
                continue  # comments, locations, and obsolete (#~) entries
            elif line.startswith('"'):
                entry[key] += ast.literal_eval(line)
            else:
                key, _, value = line.partition(" ")
                entry[key] = ast.literal_eval(value)
        if entry.get("msgid"):  # the header has an empty msgid
            entries.append(entry)
    return entries


def test_the_catalogue_is_complete_and_compiled():
    entries = _po_entries(CATALOGUE / "django.po")
    assert len(entries) > 100
    untranslated = [
        e["msgid"]
        for e in entries
        if "fuzzy" in e["flags"]
        or not all(value for name, value in e.items() if name.startswith("msgstr"))
    ]
    assert untranslated == []
    with (CATALOGUE / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog
    missing = []
    for e in entries:
        msgid = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]
        key = (msgid, 0) if "msgid_plural" in e else msgid
        if key not in compiled:
            missing.append(e["msgid"])
    assert missing == [], "django.mo is older than django.po: run `tend compilemessages`"
