"""The personal link: a GET (a mail scanner) records nothing; the button records once; a
second press, an expired link and a tampered token each get a clear page and change nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tend.customers.models import Contact
from tend.tasks.models import Task
from tend.timeline.models import TimelineEntry
from tend.voice.models import SurveyAnswer, SurveyKind, SurveyOptOut, SurveySend

pytestmark = pytest.mark.django_db


def url(token):
    return reverse("voice:answer", args=[token])


def test_opening_the_link_records_nothing(client, book, contacts, send_survey, mailoutbox):
    send, token = send_survey(book["rep1_owned"])
    response = client.get(url(token))
    assert response.status_code == 200
    assert "How likely are you to recommend us" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"
    send.refresh_from_db()
    assert send.used_at is None
    assert SurveyAnswer.objects.count() == 0


def test_the_button_records_once_with_the_comment_on_the_timeline(
    client, book, contacts, send_survey, mailoutbox
):
    send, token = send_survey(book["rep1_owned"])
    response = client.post(url(token), {"score": "9", "comment": "Fast replies"})
    assert response.status_code == 200
    assert "Thank you for your answer." in response.content.decode()
    answer = SurveyAnswer.objects.get()
    assert (answer.score, answer.comment, answer.kind) == (9, "Fast replies", SurveyKind.NPS)
    entry = TimelineEntry.objects.filter(customer=book["rep1_owned"], kind="survey").latest("id")
    assert entry.body == "Fast replies"
    assert "answered the survey: 9 of 10" in entry.title
    assert not Task.objects.exists()  # a promoter needs no follow-up


def test_a_second_press_gets_a_clear_page_and_changes_nothing(
    client, book, contacts, send_survey, mailoutbox
):
    send, token = send_survey(book["rep1_owned"])
    client.post(url(token), {"score": "3"})
    response = client.post(url(token), {"score": "10"})
    assert response.status_code == 410
    assert "already been answered" in response.content.decode()
    assert list(SurveyAnswer.objects.values_list("score", flat=True)) == [3]
    assert Task.objects.count() == 1


def test_an_expired_link_gets_a_clear_page_and_changes_nothing(
    client, book, contacts, send_survey, mailoutbox
):
    send, token = send_survey(book["rep1_owned"], now=timezone.now() - timedelta(days=15))
    for response in (client.get(url(token)), client.post(url(token), {"score": "8"})):
        assert response.status_code == 410
        assert "expired" in response.content.decode()
    send.refresh_from_db()
    assert send.used_at is None
    assert not SurveyAnswer.objects.exists()


@pytest.mark.parametrize("mangle", ["flip", "short", "junk"])
def test_a_tampered_token_gets_a_clear_page_and_changes_nothing(
    client, book, contacts, send_survey, mailoutbox, mangle
):
    send, token = send_survey(book["rep1_owned"])
    bad = {
        "flip": token[:-1] + ("A" if token[-1] != "A" else "B"),
        "short": token[:20],
        "junk": "x" * 43 + "%00",
    }[mangle]
    response = client.post(url(bad), {"score": "8"})
    assert response.status_code == 404
    assert "not recognised" in response.content.decode()
    send.refresh_from_db()
    assert send.used_at is None
    assert not SurveyAnswer.objects.exists()


@pytest.mark.parametrize("score", ["11", "-1", "", "abc", "99999999999999999999"])
def test_a_score_off_the_scale_is_refused_and_the_link_stays_open(
    client, book, contacts, send_survey, mailoutbox, score
):
    send, token = send_survey(book["rep1_owned"])
    response = client.post(url(token), {"score": score})
    assert response.status_code == 400
    send.refresh_from_db()
    assert send.used_at is None
    assert not SurveyAnswer.objects.exists()


def test_csat_scale_is_one_to_five(client, book, contacts, send_survey, mailoutbox):
    send, token = send_survey(book["rep1_owned"], kind=SurveyKind.CSAT)
    page = client.get(url(token)).content.decode()
    assert 'value="5"' in page and 'value="6"' not in page and 'value="0"' not in page
    assert client.post(url(token), {"score": "6"}).status_code == 400
    assert client.post(url(token), {"score": "2"}).status_code == 200


def test_a_detractor_opens_a_follow_up_task_for_the_owner(
    client, book, contacts, send_survey, mailoutbox, rep1
):
    send, token = send_survey(book["rep1_owned"])
    client.post(url(token), {"score": "4", "comment": "Late again"})
    task = Task.objects.get()
    assert task.assignee == rep1
    assert task.customer == book["rep1_owned"]
    assert task.origin == "voice"
    assert task.detail == "Late again"
    assert "4 of 10" in task.title


def test_an_unhappy_csat_opens_a_follow_up_and_a_content_one_does_not(
    client, book, contacts, send_survey, mailoutbox, rep2
):
    _send, token = send_survey(book["rep2_owned"], kind=SurveyKind.CSAT)
    client.post(url(token), {"score": "2"})
    assert Task.objects.get().assignee == rep2
    _send, token = send_survey(book["rep1_owned"], kind=SurveyKind.CSAT)
    client.post(url(token), {"score": "3"})
    assert Task.objects.count() == 1


def test_the_page_and_thanks_are_in_the_contacts_language(
    client, book, contacts, send_survey, mailoutbox
):
    Contact.objects.filter(pk=contacts["rep1_owned"].pk).update(language="zh")
    send, token = send_survey(book["rep1_owned"])
    assert send.language == "zh-hans"
    assert "推荐" in mailoutbox[-1].body
    page = client.get(url(token)).content.decode()
    assert "您向朋友或同事推荐我们的可能性有多大" in page
    assert 'lang="zh-hans"' in page
    done = client.post(url(token), {"score": "10"}).content.decode()
    assert 'lang="zh-hans"' in done and "感谢您的回答" in done


def test_the_page_names_no_other_customer(client, book, contacts, send_survey, mailoutbox):
    _send, token = send_survey(book["rep1_owned"])
    page = client.get(url(token)).content.decode()
    for other in ("Berlin Haushalt", "Hamburg", "Pool Imports", "Al Noor"):
        assert other not in page


def test_opt_out_is_one_click_and_stops_further_surveys(
    client, book, contacts, send_survey, mailoutbox
):
    send, token = send_survey(book["rep1_owned"])
    assert client.get(reverse("voice:opt_out", args=[token])).status_code == 405
    response = client.post(reverse("voice:opt_out", args=[token]))
    assert response.status_code == 200
    assert SurveyOptOut.objects.filter(contact=send.contact).exists()
    send.refresh_from_db()
    assert send.used_at is None  # opting out is not an answer
    assert SurveySend.objects.count() == 1


def test_opting_out_on_an_expired_link_is_a_clear_page_and_changes_nothing(
    client, book, contacts, send_survey, mailoutbox
):
    _send, token = send_survey(book["rep1_owned"], now=timezone.now() - timedelta(days=15))
    response = client.post(reverse("voice:opt_out", args=[token]))
    assert response.status_code == 410
    assert not SurveyOptOut.objects.exists()


@pytest.mark.parametrize("comment", ["a\x00b", "x" * 2001])
def test_a_bad_comment_is_refused_and_the_link_stays_open(
    client, book, contacts, send_survey, mailoutbox, comment
):
    send, token = send_survey(book["rep1_owned"])
    response = client.post(url(token), {"score": "7", "comment": comment})
    assert response.status_code == 400
    send.refresh_from_db()
    assert send.used_at is None
    assert not SurveyAnswer.objects.exists()


def test_removing_a_contact_keeps_their_answer_in_the_history(
    client, book, contacts, send_survey, mailoutbox
):
    send, token = send_survey(book["rep1_owned"])
    client.post(url(token), {"score": "9"})
    Contact.objects.filter(pk=send.contact_id).delete()
    answer = SurveyAnswer.objects.select_related("send").get()
    assert answer.send.contact_id is None and answer.send.contact_name == "rep1_owned buyer"
    assert client.post(reverse("voice:opt_out", args=[token])).status_code == 200
    assert not SurveyOptOut.objects.exists()
