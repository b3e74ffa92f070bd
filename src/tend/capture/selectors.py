"""Reads of captured conversations, each through the user's visibility: a message filed to a
customer is seen by whoever may see the customer; one waiting to be filed by the mailbox's
person (or anyone, for a shared mailbox), by who captured it, and by admins."""

from django.db.models import Q, QuerySet
from django.http import Http404

from tend.accounts.models import User
from tend.customers.selectors import customers_visible_to

from .models import CapturedMessage, ChatUpload, Mailbox, PromiseSuggestion, SuggestionStatus


def _unfiled_visible(user: User) -> Q:
    if user.is_admin:
        return Q()
    rule = Q(mailbox__owner=user) | Q(mailbox__isnull=False, mailbox__owner__isnull=True)
    rule |= Q(captured_by=user)
    if user.is_manager and user.team_id:
        rule |= Q(mailbox__owner__team_id=user.team_id)
    return rule


def messages_visible_to(*, user: User) -> QuerySet[CapturedMessage]:
    if user is None or not user.is_authenticated or not user.is_active:
        return CapturedMessage.objects.none()
    filed = Q(customer__in=customers_visible_to(user=user).values("pk"))
    unfiled = Q(customer__isnull=True) & _unfiled_visible(user)
    return CapturedMessage.objects.shown().filter(filed | unfiled)


def message_get_for_user(*, user: User, pk: int) -> CapturedMessage:
    try:
        return messages_visible_to(user=user).select_related("customer", "mailbox").get(pk=pk)
    except (CapturedMessage.DoesNotExist, ValueError, TypeError):
        raise Http404("No such message.") from None


def messages_to_file(*, user: User) -> QuerySet[CapturedMessage]:
    return (
        messages_visible_to(user=user)
        .filter(customer__isnull=True)
        .select_related("mailbox")
        .order_by("-at", "-id")
    )


def messages_for_customer(*, user: User, customer_id: int) -> QuerySet[CapturedMessage]:
    """The customer's captured messages; the caller fetched the customer for this user."""
    return (
        messages_visible_to(user=user)
        .filter(customer_id=customer_id)
        .prefetch_related("attachments")
        .order_by("-at", "-id")
    )


def suggestions_pending(
    *, user: User, customer_id: int | None = None
) -> QuerySet[PromiseSuggestion]:
    queryset = PromiseSuggestion.objects.filter(
        status=SuggestionStatus.PENDING,
        customer__in=customers_visible_to(user=user).values("pk"),
        message__excluded=False,
    ).select_related("customer", "message")
    if customer_id is not None:
        queryset = queryset.filter(customer_id=customer_id)
    return queryset.order_by("due_at", "id")


def suggestion_get_for_user(*, user: User, pk: int) -> PromiseSuggestion:
    try:
        return suggestions_pending(user=user).get(pk=pk)
    except (PromiseSuggestion.DoesNotExist, ValueError, TypeError):
        raise Http404("No such suggestion.") from None


def chat_upload_get_for_user(*, user: User, pk: int) -> ChatUpload:
    try:
        return ChatUpload.objects.select_related("customer").get(
            pk=pk,
            uploaded_by=user,
            imported_at__isnull=True,
            customer__in=customers_visible_to(user=user).values("pk"),
        )
    except (ChatUpload.DoesNotExist, ValueError, TypeError):
        raise Http404("No such upload.") from None


def mailboxes_for(*, user: User) -> QuerySet[Mailbox]:
    if user.is_admin:
        return Mailbox.objects.select_related("owner")
    return Mailbox.objects.filter(owner=user).select_related("owner")
