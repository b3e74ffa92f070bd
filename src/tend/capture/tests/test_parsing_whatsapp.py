# ruff: noqa: DTZ001  (a chat export holds the phone's wall clock: naive until the rep names its zone)
"""WhatsApp exports, parsed without a database: one fixture file per phone and locale."""

import io
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from tend.capture.parsing.whatsapp import DMY, MDY, YMD, ChatError, parse_chat, read_export

FIXTURES = Path(__file__).parent / "fixtures" / "whatsapp"


def load(name: str, **kwargs):
    return read_export((FIXTURES / name).read_bytes(), **kwargs)


@pytest.mark.parametrize(
    ("name", "platform", "order", "first", "count"),
    [
        ("ios_en_dmy_24h.txt", "ios", DMY, datetime(2022, 12, 29, 9, 15, 2), 5),
        ("ios_en_mdy_12h.txt", "ios", MDY, datetime(2022, 12, 30, 9, 5), 4),
        ("android_en_mdy_12h.txt", "android", MDY, datetime(2019, 8, 8, 13, 25), 4),
        ("android_en_dmy_24h.txt", "android", DMY, datetime(2023, 2, 11, 8, 0), 4),
        ("android_de_dmy_24h.txt", "android", DMY, datetime(2022, 12, 31, 23, 40), 3),
        ("ios_de_dmy_24h.txt", "ios", DMY, datetime(2022, 12, 31, 23, 40, 5), 3),
        ("android_zh_ymd_12h.txt", "android", YMD, datetime(2023, 3, 5, 14, 5), 3),
    ],
)
def test_each_variant_reads_its_dates_senders_and_count(name, platform, order, first, count):
    chat = load(name)
    assert (chat.platform, chat.date_order, chat.date_order_certain) == (platform, order, True)
    assert chat.messages[0].at == first
    assert len(chat.messages) == count
    assert all(message.sender for message in chat.messages)


def test_encryption_notice_is_not_a_message():
    chat = load("ios_en_dmy_24h.txt")
    assert "Tend Exports" not in chat.participants
    assert chat.participants == ["Lin Wei", "Omar Haddad"]  # the most talkative first


def test_multi_line_message_keeps_its_lines():
    chat = load("ios_en_dmy_24h.txt")
    assert chat.messages[3].text == "Thanks. Price for 500 pcs?\nDelivery to Jebel Ali please."


def test_twelve_hour_clock_with_narrow_no_break_space_and_midnight():
    chat = load("ios_en_mdy_12h.txt")
    assert chat.messages[2].at == datetime(2022, 12, 30, 13, 25, 33)
    assert chat.messages[3].at == datetime(2022, 12, 31, 0, 1)


def test_media_named_in_ios_android_and_german_forms():
    assert load("ios_en_dmy_24h.txt").messages[2].media == [
        "00000012-PHOTO-2022-12-29-09-20-40.jpg"
    ]
    android = load("android_en_mdy_12h.txt").messages[1]
    assert (android.media, android.text) == (
        ["IMG-20190808-WA0001.jpg"],
        "Here is the loading photo",
    )
    assert load("android_de_dmy_24h.txt").messages[2].media == ["IMG-20230102-WA0003.jpg"]
    assert load("ios_de_dmy_24h.txt").messages[1].media == ["00000031-Katalog.pdf"]


def test_media_omitted_leaves_an_empty_text():
    assert load("android_en_mdy_12h.txt").messages[2].text == ""


def test_chinese_afternoon_marker():
    assert load("android_zh_ymd_12h.txt").messages[1].at == datetime(2023, 3, 5, 14, 30)


def test_ambiguous_dates_are_ordered_by_time_running_forward():
    """11/02, 12/02, 01/03 fit both orders; only day-first keeps them in time order."""
    chat = load("android_en_dmy_24h.txt")
    assert chat.messages[-1].at == datetime(2023, 3, 1, 11, 0)


def test_truly_ambiguous_file_says_it_is_unsure_and_the_rep_can_choose():
    text = "01/02/2023, 08:00 - A: one\n01/02/2023, 09:00 - B: two\n"
    assert parse_chat(text).date_order_certain is False
    assert parse_chat(text, date_order=MDY).messages[0].at == datetime(2023, 1, 2, 8, 0)


def test_a_forced_order_that_does_not_fit_is_refused():
    with pytest.raises(ChatError):
        load("android_de_dmy_24h.txt", date_order=MDY)


def test_zip_export_brings_the_media_it_mentions():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("_chat.txt", (FIXTURES / "ios_en_dmy_24h.txt").read_bytes())
        archive.writestr("00000012-PHOTO-2022-12-29-09-20-40.jpg", b"\xff\xd8jpeg")
        archive.writestr("unrelated.jpg", b"other")
    chat = read_export(buffer.getvalue(), filename="chat.zip")
    assert chat.media_files == {"00000012-PHOTO-2022-12-29-09-20-40.jpg": b"\xff\xd8jpeg"}


@pytest.mark.parametrize(
    "data",
    [b"", b"just some words\nand more", b"\x00\x01\x02binary", b"PK\x03\x04broken zip"],
)
def test_not_a_chat_is_a_clear_error(data):
    with pytest.raises(ChatError):
        read_export(data)


def test_impossible_dates_are_refused():
    with pytest.raises(ChatError):
        parse_chat("31/31/2023, 08:00 - A: hi\n")
