import pytest

from tend.capture.models import Mailbox

from .imap_server import ImapServer, self_signed


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Attachments are written under a directory each test owns."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def our_people(rep1, rep2, manager1, admin_user):
    """Everyone gets a company address, as in a real deployment: mail from them is ours."""
    for user in (rep1, rep2, manager1, admin_user):
        user.email = f"{user.username}@tend-exports.com"
        user.save(update_fields=["email"])
    return {"rep1": rep1, "rep2": rep2, "manager1": manager1, "admin": admin_user}


@pytest.fixture
def imap_server(tmp_path, settings):
    """A real IMAP server over TLS on a free port, trusted through TEND_CAPTURE_CA_FILE."""
    cert, key = self_signed(tmp_path)
    settings.TEND_CAPTURE_CA_FILE = cert
    server = ImapServer(cert, key, user="alice@tend-exports.com", password='s3cret "pw"')
    server.start()
    yield server
    server.stop()


@pytest.fixture
def alice_mailbox(imap_server, our_people):
    rep1 = our_people["rep1"]
    mailbox = Mailbox(
        name="Alice",
        owner=rep1,
        address="alice@tend-exports.com",
        host="127.0.0.1",
        port=imap_server.port,
        username="alice@tend-exports.com",
        folder="INBOX",
        sent_folder="Sent",
        created_by=rep1,
    )
    mailbox.set_password('s3cret "pw"')
    mailbox.save()
    return mailbox
