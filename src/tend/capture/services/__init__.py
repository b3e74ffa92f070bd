"""Writes for captured conversations. Every entry point (worker, pages, API) calls these."""

from .chat import chat_import, chat_upload_create, chat_upload_read
from .mail import CaptureResult, mail_file_read, mails_capture
from .manage import (
    mailbox_purge,
    mailbox_save,
    message_exclude,
    message_file,
    suggestion_confirm,
    suggestion_dismiss,
)
from .uploads import (
    mail_upload_execute,
    mail_upload_is_big,
    mail_upload_queue,
    mail_upload_retry,
    mail_uploads_recover,
)

__all__ = [
    "CaptureResult",
    "chat_import",
    "chat_upload_create",
    "chat_upload_read",
    "mailbox_purge",
    "mailbox_save",
    "mail_file_read",
    "mail_upload_execute",
    "mail_upload_is_big",
    "mail_upload_queue",
    "mail_upload_retry",
    "mail_uploads_recover",
    "mails_capture",
    "message_exclude",
    "message_file",
    "suggestion_confirm",
    "suggestion_dismiss",
]
