"""A big import whose worker died (SIGKILL, power cut) is taken up again, each row imported
once: running with an old heartbeat, or queued with its task taken by a worker that died before
claiming the run. The dead worker is simulated by the state it leaves behind."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tend.imports.models import ImportRun, ImportStage, ImportState
from tend.imports.runs import import_run_execute, import_runs_recover
from tend.orders.models import Order

from .sheets import write_csv
from .test_import_orders import HEADERS, catalogue, good_rows  # noqa: F401  (fixture)
from .test_order_page import URL, data_dir, mapping_post, upload  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("catalogue")


@pytest.fixture
def commit_run(client, rep1, data_dir, tmp_path, settings, django_capture_on_commit_callbacks):  # noqa: F811
    """A queued commit of a big order file, its task waiting for a worker."""
    settings.TEND_IMPORT_BACKGROUND_BYTES = 10
    client.force_login(rep1)
    upload(client, write_csv(tmp_path / "orders.csv", HEADERS, good_rows()))
    with django_capture_on_commit_callbacks(execute=True):
        client.get(URL)
    import_run_execute(run_id=ImportRun.objects.get().pk)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {**mapping_post(client.get(URL)), "action": "commit"})
    return ImportRun.objects.get(commit=True)


def tasks(run):
    return list(
        DBTaskResult.objects.filter(args_kwargs__args=[run.pk])
        .order_by("enqueued_at")
        .values_list("status", flat=True)
    )


def test_a_run_left_running_by_a_dead_worker_is_queued_again_and_imported_once(
    commit_run, django_capture_on_commit_callbacks
):
    an_hour_ago = timezone.now() - timedelta(hours=1)
    DBTaskResult.objects.filter(args_kwargs__args=[commit_run.pk]).update(status="RUNNING")
    ImportRun.objects.filter(pk=commit_run.pk).update(
        state=ImportState.RUNNING, stage=ImportStage.SAVING, rows_done=3, heartbeat_at=an_hour_ago
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert import_runs_recover() == 1
    assert import_runs_recover() == 0
    commit_run.refresh_from_db()
    assert (commit_run.state, commit_run.stage, commit_run.rows_done) == ("queued", "", 0)
    assert tasks(commit_run) == ["RUNNING", "READY"]

    assert import_run_execute(run_id=commit_run.pk) == "committed"
    assert sorted(Order.objects.values_list("number", flat=True)) == ["SO-1001", "SO-1002"]


def test_a_run_whose_worker_still_beats_is_left_alone(commit_run):
    ImportRun.objects.filter(pk=commit_run.pk).update(
        state=ImportState.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=5)
    )
    assert import_runs_recover() == 0
    assert ImportRun.objects.get(pk=commit_run.pk).state == ImportState.RUNNING


def test_a_queued_run_whose_task_a_dead_worker_took_is_queued_again(
    commit_run, django_capture_on_commit_callbacks
):
    ImportRun.objects.update(created_at=timezone.now() - timedelta(hours=1))
    assert import_runs_recover() == 0  # its task still waits for a worker: nothing is lost

    DBTaskResult.objects.filter(args_kwargs__args=[commit_run.pk]).update(status="RUNNING")
    with django_capture_on_commit_callbacks(execute=True):
        assert import_runs_recover() == 1
    assert tasks(commit_run) == ["RUNNING", "READY"]
    assert import_runs_recover() == 0  # the fresh lease counts from now
    assert import_run_execute(run_id=commit_run.pk) == "committed"
    assert Order.objects.count() == 2


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_run_saving_longer_than_the_lease_is_not_queued_again(
    commit_run, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """The save holds the run's row locked until it commits: the recovery skips it, however
    old its last heartbeat, and the rows are imported once."""
    import threading

    from django.db import connection

    from tend.imports import orders as order_import

    settings.TEND_JOB_LEASE_SECONDS = 0  # every heartbeat already counts as old
    inside, go = threading.Event(), threading.Event()
    write = order_import._Importer.write

    def slow_write(importer):
        inside.set()
        go.wait(timeout=20)
        return write(importer)

    monkeypatch.setattr(order_import._Importer, "write", slow_write)
    outcome = {}

    def run():
        try:
            outcome["run"] = import_run_execute(run_id=commit_run.pk)
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    try:
        assert inside.wait(timeout=20)
        assert ImportRun.objects.get(pk=commit_run.pk).stage == ImportStage.SAVING
        with django_capture_on_commit_callbacks(execute=False) as queued:
            assert import_runs_recover() == 0
        assert queued == []
    finally:
        go.set()
        worker.join(timeout=30)
    assert outcome["run"] == "committed"
    assert ImportRun.objects.get(pk=commit_run.pk).state == ImportState.DONE
    assert sorted(Order.objects.values_list("number", flat=True)) == ["SO-1001", "SO-1002"]
