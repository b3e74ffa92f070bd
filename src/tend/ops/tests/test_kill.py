"""A real ``tend worker`` killed with SIGKILL at chosen points (``jobs/crashpoints.py``); a fresh
worker then finishes the work: nothing sent twice, nothing half-written, nothing lost.

Runs on SQLite, and on PostgreSQL in the PostgreSQL half of the suite."""

import time

import pytest

from .workers import Site

LEASE = 1  # seconds: a killed worker's work is taken up again this soon


def lease_over(killed_at: float) -> None:
    """Wait out the rest of the killed worker's lease (the looks in between took some of it)."""
    time.sleep(max(0.0, killed_at + LEASE + 0.2 - time.monotonic()))


@pytest.fixture(scope="module")
def site(tmp_path_factory, migrated):
    site = Site(
        tmp_path_factory.mktemp("kill"),
        "kill",
        extra={
            "TEND_JOB_LEASE_SECONDS": str(LEASE),
            "TEND_WEEKEND_DAYS": "7",  # the digest may go out whatever the weekday
        },
    ).create(template=migrated)
    site.kit("seed")
    yield site
    site.drop()


@pytest.fixture
def mailed(site, smtp_inbox):
    """The site's mail goes to the test's SMTP server."""
    site.env.update(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_inbox.port),
    )
    return smtp_inbox


def digests_to_rita(inbox) -> list:
    return [message for rcpt, message in inbox.messages if rcpt == ["rita@exporter.example"]]


def test_worker_killed_after_claiming_the_digest_leaves_it_to_the_next_worker(site, mailed):
    site.kit("only_due:agenda.daily_digest")
    killed_at = site.worker_killed_at("digest.claimed")
    assert site.kit("state")["digests"] == [[1, False]]  # claimed, never handed over
    assert digests_to_rita(mailed) == []

    lease_over(killed_at)
    site.tend("worker", "--once")

    assert site.kit("state")["digests"] == [[1, True]]
    assert len(digests_to_rita(mailed)) == 1
    site.tend("worker", "--once")  # and again: still once
    assert len(digests_to_rita(mailed)) == 1


def test_worker_killed_after_sending_the_digest_is_not_followed_by_a_second_one(site, mailed):
    site.kit("clear_digests", "only_due:agenda.daily_digest")
    killed_at = site.worker_killed_at("digest.sent")
    assert len(digests_to_rita(mailed)) == 1

    lease_over(killed_at)
    site.tend("worker", "--once")  # the digest job is due again: its lease ran out

    assert site.kit("state")["digests"] == [[1, True]]
    assert len(digests_to_rita(mailed)) == 1


def test_worker_killed_while_writing_snapshots_leaves_none_and_the_next_scores_all(site):
    site.kit("only_due:health.score_book")
    killed_at = site.worker_killed_at("bulk_insert:health_healthsnapshot")
    before = site.kit("state")
    assert (before["snapshots"], before["score_runs"]) == (0, 0)

    lease_over(killed_at)
    site.tend("worker", "--once")

    after = site.kit("state")
    assert after["score_runs"] == 1
    assert after["snapshots"] == after["snapshot_customers"] == after["customers"]


def test_worker_killed_mid_import_commits_nothing_and_the_next_imports_each_row_once(site):
    customers = site.kit("only_due:none", "state")["customers"]
    site.kit("queue_import:40")
    killed_at = site.worker_killed_at("bulk_insert:customers_customer")
    killed = site.kit("state")
    assert (killed["imported"], killed["customers"]) == (0, customers)
    assert killed["import_runs"] == ["running"]

    lease_over(killed_at)
    site.kit("only_due:imports.runs_recover")
    site.tend("worker", "--once")  # re-queues the run, then runs it in the same pass

    done = site.kit("state")
    assert done["import_runs"] == ["done"]
    assert (done["imported"], done["customers"]) == (40, customers + 40)
    assert site.kit("only_due:imports.runs_recover")["due"]
    site.tend("worker", "--once")
    assert site.kit("state")["imported"] == 40
