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

__all__ = [
    "CaptureResult",
    "chat_import",
    "chat_upload_create",
    "chat_upload_read",
    "mailbox_purge",
    "mailbox_save",
    "mail_file_read",
    "mails_capture",
    "message_exclude",
    "message_file",
    "suggestion_confirm",
    "suggestion_dismiss",
]
