from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction


def send_after_commit(*, to: str, subject: str, body: str, key: str, reply_to: str = "") -> None:
    """Send once the transaction commits; the idempotency key travels in a header so a relay or
    the recipient's system can drop a duplicate."""

    def send():
        EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
            reply_to=[reply_to] if reply_to else None,
            headers={"X-Tend-Idempotency-Key": key},
        ).send()

    transaction.on_commit(send)
