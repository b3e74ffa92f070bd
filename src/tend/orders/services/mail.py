from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction


def send_after_commit(
    *, to: str, subject: str, body: str, key: str, reply_to: str = "", from_name: str = ""
) -> None:
    """Send once the transaction commits; the idempotency key travels in a header so a relay or
    the recipient's system can drop a duplicate. ``from_name`` shows the person who signs the
    message as the sender's name, on the company's own address."""
    from_email = settings.DEFAULT_FROM_EMAIL
    if from_name:
        from_email = formataddr((from_name, parseaddr(from_email)[1]))

    def send():
        EmailMessage(
            subject=subject,
            body=body,
            from_email=from_email,
            to=[to],
            reply_to=[reply_to] if reply_to else None,
            headers={"X-Tend-Idempotency-Key": key},
        ).send()

    transaction.on_commit(send)
