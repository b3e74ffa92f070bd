"""Customer voice in the REST API: surveys (read), survey sends (read, and ask for one through
the same rules as every trigger), answers (read-only: only the customer gives them, on the
personal link). Visibility is the customers' rule."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from tend.api.schemas import Id, Moment, PageQuery, errors
from tend.customers.models import Contact
from tend.customers.selectors import customer_get_for_user

from . import selectors, services
from .models import SurveyAnswer, SurveyKind, SurveySend, Trigger

router = Router(tags=["voice"])


class SurveyOut(Schema):
    id: int
    name: str
    kind: str
    question_en: str
    question_zh_hans: str
    open_question_en: str
    open_question_zh_hans: str
    active: bool


class SurveySendOut(Schema):
    id: int
    survey_id: int
    kind: str
    customer_id: int
    contact_id: int | None = Field(description="Empty when the contact was removed since.")
    contact_name: str
    trigger: str
    subject_label: str
    language: str
    created_at: datetime
    sent_at: datetime | None
    expires_at: datetime
    answered: bool = Field(description="The link was used to answer.")

    @staticmethod
    def resolve_kind(obj: SurveySend) -> str:
        return obj.survey.kind

    @staticmethod
    def resolve_answered(obj: SurveySend) -> bool:
        return obj.used_at is not None


class SurveySendPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[SurveySendOut]


class SurveySendQuery(PageQuery):
    customer_id: Id | None = None
    trigger: Trigger | None = None


class SurveySendIn(Schema):
    customer_id: Id
    kind: SurveyKind
    contact_id: Id | None = Field(
        None, description="Empty: the primary contact (else the first) with an email."
    )
    subject_label: str = Field("", max_length=200, description="What the survey is about.")


class SurveyRefusedOut(Schema):
    """The survey was not sent: the polite-asking rules said no."""

    message: str
    errors: dict[str, list[str]] = {}
    refused: str = Field(
        description="no_survey, no_contact, opted_out, open_case, contact_recent, "
        "company_recent or already_sent"
    )


class SurveyAnswerOut(Schema):
    id: int
    send_id: int
    customer_id: int
    contact_id: int | None = Field(description="Empty when the contact was removed since.")
    kind: str
    score: int
    comment: str
    answered_at: datetime
    unhappy: bool = Field(description="A detractor (NPS 0–6) or an unhappy CSAT (1–2).")

    @staticmethod
    def resolve_contact_id(obj: SurveyAnswer) -> int | None:
        return obj.send.contact_id


class SurveyAnswerPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[SurveyAnswerOut]


class SurveyAnswerQuery(PageQuery):
    customer_id: Id | None = None
    kind: SurveyKind | None = None
    since: Moment | None = Field(None, description="Answered at or after this moment.")


def _page(queryset: QuerySet, query: PageQuery) -> dict[str, Any]:
    offset = (query.page - 1) * query.page_size
    return {
        "count": queryset.count(),
        "page": query.page,
        "page_size": query.page_size,
        "results": list(queryset[offset : offset + query.page_size]),
    }


@router.get("/surveys", response={200: list[SurveyOut], **errors()}, summary="The surveys")
def list_surveys(request):
    return list(selectors.surveys_all())


@router.get(
    "/survey-sends",
    response={200: SurveySendPage, **errors(422)},
    summary="Surveys sent to customers you may see",
)
def list_sends(request, query: Query[SurveySendQuery]):
    queryset = selectors.sends_visible_to(user=request.user).order_by("-created_at", "-id")
    if query.customer_id is not None:
        queryset = queryset.filter(customer_id=query.customer_id)
    if query.trigger is not None:
        queryset = queryset.filter(trigger=query.trigger.value)
    return _page(queryset, query)


@router.get(
    "/survey-sends/{send_id}",
    response={200: SurveySendOut, **errors(404, 422)},
    summary="Get a survey send",
)
def get_send(request, send_id: int):
    return selectors.send_get_for_user(user=request.user, pk=send_id)


@router.post(
    "/survey-sends",
    response={201: SurveySendOut, 409: SurveyRefusedOut, **errors(400, 404, 422)},
    summary="Ask a customer's contact for a survey (by hand)",
    description="The rules of every trigger apply: a contact or company surveyed recently, an "
    "open case, or an opted-out contact is refused with 409 and the reason.",
)
def create_send(request, payload: SurveySendIn):
    customer = customer_get_for_user(user=request.user, pk=payload.customer_id)
    contact = None
    if payload.contact_id is not None:
        contact = Contact.objects.filter(pk=payload.contact_id, customer=customer).first()
        if contact is None:
            raise ValidationError(
                {
                    "contact_id": _("No contact with id %(id)s at this customer.")
                    % {"id": payload.contact_id}
                }
            )
    result = services.survey_request(
        customer=customer,
        contact=contact,
        kind=payload.kind.value,
        trigger=Trigger.MANUAL,
        subject_label=payload.subject_label,
        by=request.user,
    )
    if not result.sent:
        return Status(
            409,
            {
                "message": result.reason,
                "errors": {"__all__": [result.reason]},
                "refused": result.refused,
            },
        )
    return Status(201, selectors.send_get_for_user(user=request.user, pk=result.send.pk))


@router.get(
    "/survey-answers",
    response={200: SurveyAnswerPage, **errors(422)},
    summary="Survey answers of customers you may see",
)
def list_answers(request, query: Query[SurveyAnswerQuery]):
    queryset = selectors.answers_visible_to(user=request.user).order_by("-answered_at", "-id")
    if query.customer_id is not None:
        queryset = queryset.filter(customer_id=query.customer_id)
    if query.kind is not None:
        queryset = queryset.filter(kind=query.kind.value)
    if query.since is not None:
        since = query.since
        if timezone.is_naive(since):  # without a zone: the user's current one
            since = timezone.make_aware(since)
        queryset = queryset.filter(answered_at__gte=since)
    return _page(queryset, query)


@router.get(
    "/survey-answers/{answer_id}",
    response={200: SurveyAnswerOut, **errors(404, 422)},
    summary="Get a survey answer",
)
def get_answer(request, answer_id: int):
    return selectors.answer_get_for_user(user=request.user, pk=answer_id)
