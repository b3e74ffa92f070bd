"""Reads for customer voice, scoped by the user: a send or an answer is visible through its
customer (the customer visibility rule)."""

from django.db.models import QuerySet
from django.http import Http404

from tend.accounts.models import User
from tend.customers.models import Customer
from tend.customers.selectors import customers_visible_to

from .models import Survey, SurveyAnswer, SurveySend


def customers_with_open_cases() -> QuerySet:
    """Ids of customers with an open case: none is surveyed meanwhile. The rule is the cases
    app's (``tend.cases.selectors.customers_with_open_cases``), kept there once."""
    from tend.cases.selectors import customers_with_open_cases as open_cases

    return open_cases()


def surveys_all() -> QuerySet[Survey]:
    return Survey.objects.order_by("kind", "name")


def sends_visible_to(*, user: User) -> QuerySet[SurveySend]:
    return SurveySend.objects.filter(customer__in=customers_visible_to(user=user)).select_related(
        "customer", "contact", "survey"
    )


def send_get_for_user(*, user: User, pk: int) -> SurveySend:
    try:
        return sends_visible_to(user=user).get(pk=pk)
    except (SurveySend.DoesNotExist, ValueError, TypeError):
        raise Http404("No such survey send.") from None


def answers_visible_to(*, user: User) -> QuerySet[SurveyAnswer]:
    return SurveyAnswer.objects.filter(customer__in=customers_visible_to(user=user)).select_related(
        "customer", "send__contact", "send__survey"
    )


def answer_get_for_user(*, user: User, pk: int) -> SurveyAnswer:
    try:
        return answers_visible_to(user=user).get(pk=pk)
    except (SurveyAnswer.DoesNotExist, ValueError, TypeError):
        raise Http404("No such survey answer.") from None


def customer_voice(*, customer: Customer) -> dict:
    """One customer's latest answers (10) and sends (5), and the contacts who opted out. The
    caller has already checked the user may see the customer."""
    from .models import SurveyOptOut

    return {
        "answers": list(
            SurveyAnswer.objects.filter(customer=customer)
            .select_related("send__contact")
            .order_by("-answered_at", "-id")[:10]
        ),
        "sends": list(
            SurveySend.objects.filter(customer=customer)
            .select_related("contact", "survey")
            .order_by("-created_at", "-id")[:5]
        ),
        "opted_out": list(
            SurveyOptOut.objects.filter(contact__customer=customer).select_related("contact")
        ),
    }
