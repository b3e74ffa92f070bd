"""A timeline entry reads in the reader's language, whoever wrote it and in whichever language."""

from datetime import timedelta

from django.utils import timezone, translation

from tend.core.i18n import TranslatableText
from tend.engagement.services import promise_make
from tend.tasks.services import complete_task, create_task
from tend.timeline.models import TimelineEntry


def _titles(customer) -> list[str]:
    return [e.display_title for e in TimelineEntry.objects.filter(customer=customer)]


def test_a_task_done_by_a_rep_who_reads_chinese_reads_in_english_for_an_english_manager(book, rep1):
    customer = book["rep1_owned"]
    with translation.override("zh-hans"):
        task = create_task(
            customer=customer,
            assignee=rep1,
            kind="call",
            title="Call about the reorder",
            due_at=timezone.now() + timedelta(days=1),
            created_by=rep1,
        )
        complete_task(task, by=rep1, outcome="Called; they reorder in March")
    entry = TimelineEntry.objects.get(customer=customer, title__startswith="任务已完成")

    with translation.override("en"):
        assert entry.display_title == "Task done: Call about the reorder"
    with translation.override("zh-hans"):
        assert entry.display_title == "任务已完成：Call about the reorder"


def test_the_channel_of_an_interaction_is_a_word_of_the_readers_language(book, rep1):
    from tend.engagement.services import interaction_log

    customer = book["rep1_owned"]
    interaction_log(
        by=rep1, customer=customer, channel="email", direction="out", subject="Price list 2027"
    )

    with translation.override("en"):
        assert "→ Email: Price list 2027" in _titles(customer)
    with translation.override("zh-hans"):
        assert "→ 邮件：Price list 2027" in _titles(customer)


def test_an_entry_written_before_titles_were_stored_as_texts_reads_as_written(book, rep1):
    promise = promise_make(
        by=rep1,
        customer=book["rep1_owned"],
        kind="quote",
        due_at=timezone.now() + timedelta(days=2),
        description="Quote for the 2 kg pack",
    )
    entry = TimelineEntry.objects.get(source_type="engagement.promise", source_id=promise.pk)
    entry.data = {"outcome": "open"}  # as the entries of earlier versions
    assert entry.display_title == entry.title


def test_a_damaged_stored_text_falls_back_to_the_title_as_written():
    entry = TimelineEntry(title="Promise kept: samples", data={"title_i18n": {"msgid": "%(x)s"}})
    assert entry.display_title == "Promise kept: samples"


def test_a_text_keeps_words_and_nested_texts_translatable():
    from django.utils.translation import gettext_lazy

    inner = TranslatableText(gettext_lazy("Promise kept: %(what)s"), {"what": "samples"})
    outer = TranslatableText(gettext_lazy("%(move)s: %(reason)s"), {"move": inner, "reason": "x"})
    stored = outer.to_data()
    with translation.override("zh-hans"):
        assert TranslatableText.from_data(stored).render() == "承诺已兑现：samples：x"
