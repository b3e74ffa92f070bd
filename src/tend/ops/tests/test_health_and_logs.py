"""``/healthz`` for monitors, and one log line per request with its id, user and duration."""

import json
import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from tend.ops import views
from tend.ops.logs import DjangoRequestFilter, JsonFormatter, TextFormatter
from tend.ops.models import WorkerHeartbeat

ALL_OK = {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "worker": "ok"}}


def beat(minutes_ago: float) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="w1", started_at=now, seen_at=now - timedelta(minutes=minutes_ago)
    )


def test_healthz_says_ok_without_sign_in_when_the_database_is_migrated_and_a_worker_is_alive(
    client, db, django_assert_max_num_queries
):
    beat(minutes_ago=3)
    client.get("/healthz")  # the first also reads the migrations table, once per process
    with django_assert_max_num_queries(2):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == ALL_OK
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_no_worker_was_seen_in_the_last_minutes(client, db, settings):
    settings.TEND_HEALTHZ_WORKER_MINUTES = 15
    beat(minutes_ago=16)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "worker": "not seen recently",
    }


def test_healthz_is_503_when_a_worker_never_ran(client, db):
    response = client.get("/healthz")
    assert (response.status_code, response.json()["checks"]["worker"]) == (503, "never seen")


def test_healthz_is_503_when_a_migration_is_not_applied(client, db, monkeypatch):
    beat(minutes_ago=1)
    monkeypatch.setattr(views, "_migrated", False)
    MigrationRecorder(connection).record_unapplied("ops", "0001_worker_heartbeat")
    response = client.get("/healthz")
    assert (response.status_code, response.json()["checks"]["migrations"]) == (503, "pending")


def test_healthz_is_503_when_the_database_does_not_answer(client, db, monkeypatch):
    class Down:
        def cursor(self):
            raise DatabaseError("connection refused")

    monkeypatch.setattr(views, "connection", Down())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unhealthy",
        "checks": {"database": "unreachable", "migrations": "unknown", "worker": "unknown"},
    }


@pytest.mark.django_db(transaction=True)  # the worker manages its own connection
def test_a_worker_pass_records_its_heartbeat():
    call_command("worker", "--once", "--worker-id", "beat-test", verbosity=0)
    heartbeat = WorkerHeartbeat.objects.get()
    assert heartbeat.worker_id == "beat-test"
    assert timezone.now() - heartbeat.seen_at < timedelta(minutes=1)


@pytest.fixture
def request_lines(caplog):
    caplog.set_level(logging.INFO, logger="tend.request")
    return lambda: [r for r in caplog.records if r.name == "tend.request"]


def test_each_request_is_logged_once_with_its_id_user_and_duration(client, rep1, request_lines):
    client.force_login(rep1)
    response = client.get("/today/", HTTP_X_REQUEST_ID="lb-7f3a.1")

    assert response["X-Request-ID"] == "lb-7f3a.1"
    (line,) = request_lines()
    assert (line.method, line.path, line.status, line.user_id, line.request_id) == (
        "GET",
        "/today/",
        200,
        rep1.pk,
        "lb-7f3a.1",
    )
    assert line.duration_ms > 0


def test_a_request_id_that_is_not_a_plain_token_is_replaced(client, db, request_lines):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="evil\nforged line")
    (line,) = request_lines()
    assert line.request_id == response["X-Request-ID"]
    assert len(line.request_id) == 32 and "\n" not in line.request_id
    assert (line.user_id, line.status) == (None, 503)


def test_django_request_warnings_are_dropped_but_tracebacks_kept():
    keep = DjangoRequestFilter()
    warning = logging.makeLogRecord({"name": "django.request", "msg": "Not Found: /x"})
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        crash = logging.makeLogRecord({"name": "django.request", "exc_info": sys.exc_info()})
    assert (keep.filter(warning), keep.filter(crash)) == (False, True)


def record_with_exception() -> logging.LogRecord:
    import sys

    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        info = sys.exc_info()
    record = logging.makeLogRecord(
        {"name": "tend.request", "levelname": "ERROR", "msg": "request", "exc_info": info}
    )
    record.request_id = "r-1"
    record.status = 500
    return record


def test_json_lines_carry_the_fields_and_the_traceback_in_one_line():
    line = JsonFormatter().format(record_with_exception())
    assert "\n" not in line
    entry = json.loads(line)
    assert (entry["message"], entry["request_id"], entry["status"]) == ("request", "r-1", 500)
    assert "ValueError: boom" in entry["exception"]


def test_text_lines_stay_one_line_per_event():
    line = TextFormatter().format(record_with_exception())
    assert "\n" not in line
    assert " request request_id=r-1 status=500 exception=Traceback" in line
