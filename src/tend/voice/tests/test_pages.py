"""Who sees what on the voice pages, and how many queries each page takes (pinned, not growing
with rows)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tend.customers.panels import panel_url
from tend.voice.models import SurveySend

from .test_reports import answer

pytestmark = pytest.mark.django_db

PAGES = ["voice:overview", "voice:imbalance", "voice:ask"]


@pytest.fixture
def answered(book):
    now = timezone.now()
    return {key: answer(customer, 3, now) for key, customer in book.items()}


# Which of the book's answers each role sees (rep1: own, backup and pool; manager of team 1:
# team 1's and the pool; admin: all).
SEES = {
    "rep1": {"rep1_owned", "rep1_backup", "pool"},
    "rep2": {"rep2_owned", "rep1_backup", "pool"},
    "manager1": {"rep1_owned", "rep1_backup", "pool"},
    "admin_user": {"rep1_owned", "rep2_owned", "rep1_backup", "pool"},
}


@pytest.mark.parametrize("role", list(SEES))
def test_each_role_sees_the_answers_of_the_customers_it_may_see(
    client, request, book, answered, role
):
    client.force_login(request.getfixturevalue(role))
    page = client.get(reverse("voice:overview")).content.decode()
    for key, customer in book.items():
        assert (customer.name in page) == (key in SEES[role]), key
    ask = client.get(reverse("voice:ask")).content.decode()
    for key, customer in book.items():
        assert (customer.name in ask) == (key in SEES[role]), key


@pytest.mark.parametrize("role", list(SEES))
def test_the_imbalance_report_counts_only_visible_customers(client, request, book, answered, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("voice:imbalance"))
    nps = next(row for row in response.context["rows"] if row.metric.key == "nps")
    assert nps.overall.n == len(SEES[role])


@pytest.mark.parametrize("name", PAGES)
def test_pages_need_a_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", PAGES)
def test_query_counts_are_pinned(
    client, admin_user, book, answered, name, django_assert_max_num_queries
):
    client.force_login(admin_user)
    now = timezone.now()
    for customer in book.values():
        for score in (9, 10, 5):
            answer(customer, score, now)
    with django_assert_max_num_queries(10):
        assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize(
    ("params", "field"),
    [({"months": "0"}, "months"), ({"months": "9" * 30}, "months"), ({"by": "x"}, "by")],
)
def test_bad_parameters_are_a_400_naming_the_field(client, admin_user, params, field):
    client.force_login(admin_user)
    response = client.get(reverse("voice:overview"), params)
    assert response.status_code == 400 and field in response.content.decode()


def test_asking_by_hand_sends_to_visible_customers_only_and_says_who_was_not_asked(
    client, rep1, book, contacts, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(rep1)
    ids = [c.pk for c in book.values()]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("voice:ask"), {"ids": ids, "kind": "nps"}, follow=True)
    assert set(SurveySend.objects.values_list("customer__name", flat=True)) == {
        book[key].name for key in SEES["rep1"]
    }
    assert len(mailoutbox) == 3
    assert "3 surveys sent." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("voice:ask"), {"ids": ids, "kind": "nps"}, follow=True)
    assert "3 not asked" in response.content.decode()
    assert len(mailoutbox) == 3


def test_asking_with_a_bad_id_or_kind_changes_nothing(client, rep1, book, contacts):
    client.force_login(rep1)
    bad_id = client.post(reverse("voice:ask"), {"ids": ["x"], "kind": "nps"})
    assert bad_id.status_code == 400 and "ids" in bad_id.content.decode()
    bad_kind = client.post(reverse("voice:ask"), {"ids": [book["pool"].pk], "kind": "stars"})
    assert bad_kind.status_code == 400 and "kind" in bad_kind.content.decode()
    assert not SurveySend.objects.exists()


def test_the_answer_page_takes_a_fixed_number_of_queries(
    client, book, contacts, send_survey, mailoutbox, django_assert_max_num_queries
):
    _send, token = send_survey(book["rep1_owned"])
    with django_assert_max_num_queries(4):
        client.get(reverse("voice:answer", args=[token]))


def test_the_customer_page_shows_its_voice_and_asks_from_there(
    client, rep1, book, contacts, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.TEND_VOICE_COMPANY_GAP_DAYS = 0  # the earlier answer came from another contact
    customer = book["rep1_owned"]
    earlier = answer(customer, 2, timezone.now())
    earlier.comment = "Slow replies"
    earlier.save()
    client.force_login(rep1)
    detail = reverse("customers:detail", args=[customer.pk])
    page = client.get(panel_url(customer.pk, "voice")).content.decode()
    assert 'id="customer-voice"' in page and "Slow replies" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("voice:ask"), {"ids": [customer.pk], "kind": "csat", "next": detail}
        )
    assert response.status_code == 302 and response["Location"] == detail
    assert SurveySend.objects.filter(customer=customer, survey__kind="csat").count() == 1


def test_answering_and_opting_out_take_a_fixed_number_of_queries(
    client, book, contacts, send_survey, mailoutbox, django_assert_max_num_queries
):
    _send, token = send_survey(book["rep1_owned"])
    with django_assert_max_num_queries(16):
        assert client.post(reverse("voice:answer", args=[token]), {"score": "3"}).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.post(reverse("voice:opt_out", args=[token])).status_code == 200


def test_the_imbalance_report_takes_one_query_per_figure_however_many_rows(
    client, admin_user, book, answered, django_assert_num_queries
):
    """Session, user, then one aggregate per figure (response time, promises, touches, case
    SLA met, resolution time, NPS): the same with three times the answers."""
    client.force_login(admin_user)
    with django_assert_num_queries(8):
        assert client.get(reverse("voice:imbalance")).status_code == 200
    now = timezone.now()
    for customer in book.values():
        for score in (9, 10, 5, 0, 7, 8):
            answer(customer, score, now)
    with django_assert_num_queries(8):
        assert client.get(reverse("voice:imbalance")).status_code == 200
