from datetime import date

import pytest
from django.db.models import Count

from tend.approvals.models import ApprovalRequest, Concession
from tend.demo.builder import build_demo

pytestmark = pytest.mark.django_db


def test_the_demo_book_has_a_customer_who_keeps_asking_for_concessions():
    build_demo(
        customers=120,
        seed=7,
        today=date(2026, 3, 2),
        reset=False,
        write=lambda _: None,
        only=("people", "reference", "customers", "approvals"),
    )
    per_customer = Concession.objects.values("customer_id").annotate(n=Count("id")).order_by("-n")
    threatener, most = per_customer[0]["customer_id"], per_customer[0]["n"]
    assert most == 6
    assert all(row["n"] <= 1 for row in per_customer[1:])
    waiting = ApprovalRequest.objects.get(customer_id=threatener, state="pending")
    assert waiting.proposed == {"payment_terms": "O/A 120 days", "credit_limit": "80000"}
    states = set(ApprovalRequest.objects.values_list("state", flat=True))
    assert {"applied", "rejected", "pending"} <= states
