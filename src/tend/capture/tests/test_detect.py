"""Questions and promise phrases, found without a database."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tend.capture.parsing.detect import asks_something, promise_in

DUBAI = ZoneInfo("Asia/Dubai")
# Wednesday 9 December 2026, 10:00 in Dubai.
WEDNESDAY = datetime(2026, 12, 9, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "What is the price for 500 pcs?",
        "Please quote FOB Ningbo.",
        "Could you ship in May",
        "请问报价什么时候发",
        "能否提前发货",
        "有现货吗",
    ],
)
def test_questions_are_seen(text):
    assert asks_something(text)


@pytest.mark.parametrize("text", ["Thanks, received.", "好的，谢谢", "Noted with thanks"])
def test_statements_are_not_questions(text):
    assert not asks_something(text)


@pytest.mark.parametrize(
    ("text", "kind", "day"),
    [
        (
            "Dear Omar, we will send the quote by Friday.",
            "quote",
            11,
        ),
        (
            "I'll ship the samples before next Monday",
            "sample",
            14,
        ),
        (
            "We will confirm the price by tomorrow",
            "price",
            10,
        ),
        (
            "We'll get back to you by end of the week",
            "other",
            11,
        ),
        ("我们会在周五前发报价", "quote", 11),
        ("我们将在明天发样品给您", "sample", 10),
        ("我们会在下周一安排发货", "ship_date", 14),
    ],
)
def test_promise_phrases_give_a_kind_and_a_due_day(text, kind, day):
    found = promise_in(text, at=WEDNESDAY, tz="Asia/Dubai")
    assert found is not None
    assert (found.kind, found.due_at) == (kind, datetime(2026, 12, day, 18, tzinfo=DUBAI))


@pytest.mark.parametrize("text", ["We sent the quote on Friday.", "Thanks for your order", ""])
def test_no_promise_without_a_future_commitment(text):
    assert promise_in(text, at=WEDNESDAY, tz="Asia/Dubai") is None


def test_promise_for_today_sent_after_hours_is_due_at_once():
    late = datetime(2026, 12, 9, 16, 0, tzinfo=UTC)  # 20:00 in Dubai
    found = promise_in("We will call you by today", at=late, tz="Asia/Dubai")
    assert found.due_at == late
