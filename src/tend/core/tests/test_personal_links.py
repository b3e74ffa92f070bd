"""The shared rules of personal links, tried on a concrete model: the survey and notice apps
inherit ``PersonalLink``; here a throwaway model stands in, created for the test only."""

from datetime import timedelta

import pytest
from django.db import connection, models
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from tend.core.personal_links import (
    LinkState,
    PersonalLink,
    personal_link_page,
    token_digest,
)


class SampleLink(PersonalLink):
    note = models.CharField(max_length=20, blank=True)

    class Meta:
        app_label = "core"


@pytest.fixture
def sample_table(transactional_db):
    with connection.schema_editor() as editor:
        editor.create_model(SampleLink)
    yield
    with connection.schema_editor() as editor:
        editor.delete_model(SampleLink)


def test_token_is_unguessable_and_only_its_digest_is_stored(sample_table):
    link = SampleLink()
    token = link.issue_token()
    link.save()
    assert len(token) == 43
    assert link.token_hash == token_digest(token) != token
    assert SampleLink.find(token) == link
    assert SampleLink.find(token[:-1] + ("A" if token[-1] != "A" else "B")) is None


@pytest.mark.parametrize("bad", ["", "short", "x" * 43 + "y", "é" * 43, "../" * 15, None])
def test_malformed_tokens_find_nothing(sample_table, bad):
    assert SampleLink.find(bad) is None


def test_claim_records_once_and_not_after_expiry(sample_table):
    now = timezone.now()
    link = SampleLink()
    link.issue_token(now=now, days=14)
    link.save()
    assert link.state(now=now) == LinkState.OPEN
    assert link.claim(now=now) is True
    assert link.claim(now=now) is False
    assert SampleLink.objects.get().used_at == now
    assert link.state(now=now) == LinkState.USED

    late = SampleLink()
    late.issue_token(now=now, days=14)
    late.save()
    after = now + timedelta(days=14)
    assert late.state(now=after) == LinkState.EXPIRED
    assert late.claim(now=after) is False
    assert SampleLink.objects.get(pk=late.pk).used_at is None


def test_page_headers_keep_the_token_private():
    response = personal_link_page(lambda request: HttpResponse("ok"))(RequestFactory().get("/"))
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"
    assert "noindex" in response["X-Robots-Tag"]


def test_the_button_needs_no_csrf_cookie():
    """The recipient is not signed in: the token, not a cookie, is the proof."""
    view = personal_link_page(lambda request: HttpResponse("ok"))
    assert getattr(view, "csrf_exempt", False) is True
