"""The order import page (the same flow as the customer one), and big files checked and imported
by the worker while the page shows a progress bar."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from tend.customers.models import Customer
from tend.imports import runs, views
from tend.imports.models import ImportRun, ImportState
from tend.imports.runs import import_run_execute
from tend.orders.models import Order, OrderLine

from .sheets import HEADERS as CUSTOMER_HEADERS
from .sheets import book_rows, write_csv
from .test_import_orders import HEADERS, catalogue, cells, good_rows  # noqa: F401  (fixture)

URL = "/imports/orders/"
pytestmark = pytest.mark.usefixtures("catalogue")  # products, rates, a customer with ERP-1


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "var"
    return settings.DATA_DIR


def upload(client, path, url=URL):
    data = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
    return client.post(url, {"action": "upload", "file": data})


def mapping_post(response, **changes):
    form = response.context["mapping_form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(changes)
    return data


def test_an_order_file_is_checked_every_bad_row_listed_and_nothing_written(
    client, rep1, data_dir, tmp_path
):
    rows = good_rows()
    rows[1][8] = "three"
    rows.append(cells("SO-1003|Nobody Ltd|2025-03-03|EUR|FOB|2025-04-30||KT-9|1|1||"))
    client.force_login(rep1)
    assert upload(client, write_csv(tmp_path / "orders.csv", HEADERS, rows)).status_code == 302

    page = client.get(URL)
    result = page.context["result"]
    assert (result.rows, result.good_rows, page.context["can_commit"]) == (4, 2, False)
    assert [(error.row, error.column) for error in result.errors] == [
        (3, "Quantity"),
        (5, "Customer"),
        (5, "Product SKU"),
    ]
    html = page.content.decode()
    assert "“three” is not a number." in html
    assert 'href="/imports/orders/errors.csv"' in html
    refused = client.post(URL, {**mapping_post(page), "action": "commit"})
    assert refused.status_code == 200
    assert not Order.objects.exists() and not OrderLine.objects.exists()


def test_a_good_order_file_is_imported_all_at_once(client, rep1, data_dir, tmp_path):
    client.force_login(rep1)
    upload(client, write_csv(tmp_path / "orders.csv", HEADERS, good_rows()))
    page = client.get(URL)
    assert page.context["writes"] == 2
    assert "Import 2 orders" in page.content.decode()
    response = client.post(URL, {**mapping_post(page), "action": "commit"})
    assert response["Location"] == "/orders/"
    assert sorted(Order.objects.values_list("number", flat=True)) == ["SO-1001", "SO-1002"]
    assert OrderLine.objects.count() == 3
    assert list((data_dir / "uploads").iterdir()) == []


def test_unmapping_a_required_column_is_reported(client, rep1, data_dir, tmp_path):
    client.force_login(rep1)
    upload(client, write_csv(tmp_path / "orders.csv", HEADERS, good_rows()))
    page = client.get(URL)
    checked = client.post(URL, {**mapping_post(page, col_8=""), "action": "check"})
    messages = [error.message for error in checked.context["result"].errors]
    assert any("Quantity" in message for message in messages)
    assert not Order.objects.exists()


def test_a_big_order_file_is_checked_by_the_worker_with_progress_then_imported(
    client, rep1, data_dir, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.TEND_IMPORT_BACKGROUND_BYTES = 10
    client.force_login(rep1)
    upload(client, write_csv(tmp_path / "orders.csv", HEADERS, good_rows()))

    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(URL)
    run = ImportRun.objects.get()
    assert (run.what, run.state, run.commit, run.rows_total, run.by) == (
        "orders",
        ImportState.QUEUED,
        False,
        3,
        rep1,
    )
    task = DBTaskResult.objects.get()
    assert (task.task_path, task.args_kwargs["args"]) == (
        "tend.imports.tasks.import_run_task",
        [run.pk],
    )
    html = page.content.decode()
    assert f'hx-get="/imports/runs/{run.pk}/" hx-trigger="every 1s"' in html
    assert "Waiting for the worker…" in html
    assert client.get(URL).context["run"] == run  # a reload shows the same run

    run.state, run.rows_done = ImportState.RUNNING, 2
    run.save()
    polled = client.get(f"/imports/runs/{run.pk}/", headers={"HX-Request": "true"})
    assert '<progress value="66" max="100"' in polled.content.decode()
    assert "2 of about 3 rows read (66%)" in polled.content.decode()
    run.state = ImportState.QUEUED
    run.save()

    assert import_run_execute(run_id=run.pk) == "checked"
    assert import_run_execute(run_id=run.pk) == "not queued"  # runs once
    run.refresh_from_db()
    assert (run.state, run.rows_done, run.percent) == (ImportState.DONE, 3, 100)
    assert not Order.objects.exists()
    report = client.get(f"/imports/runs/{run.pk}/", headers={"HX-Request": "true"})
    assert report.context["result"].rows == 3 and report.context["can_commit"] is True
    assert "Import 2 orders" in report.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {**mapping_post(report), "action": "commit"})
    commit_run = ImportRun.objects.get(commit=True)
    assert import_run_execute(run_id=commit_run.pk) == "committed"
    assert sorted(Order.objects.values_list("number", flat=True)) == ["SO-1001", "SO-1002"]
    done = client.get(f"/imports/runs/{commit_run.pk}/", headers={"HX-Request": "true"})
    assert (done.status_code, done["HX-Redirect"]) == (204, "/orders/")
    assert list((data_dir / "uploads").iterdir()) == []


@pytest.mark.parametrize("what", ["orders", "customers"])
def test_once_every_row_is_read_the_page_says_checking_then_saving_not_99_percent(
    client, manager1, data_dir, tmp_path, settings, monkeypatch, what,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    """The final commit of a big file takes minutes: the page names the stage it is in."""
    settings.TEND_IMPORT_BACKGROUND_BYTES = 10
    url = f"/imports/{what}/"
    path = (
        write_csv(tmp_path / "orders.csv", HEADERS, good_rows())
        if what == "orders"
        else write_csv(tmp_path / "book.csv", CUSTOMER_HEADERS, book_rows(3))
    )
    client.force_login(manager1)
    upload(client, path, url)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url)
    seen = []
    importer = runs.IMPORTERS[what]

    def watching(**kwargs):
        report = kwargs["stage"]

        def stage(name):
            report(name)
            run = ImportRun.objects.get(state=ImportState.RUNNING)
            polled = client.get(f"/imports/runs/{run.pk}/", headers={"HX-Request": "true"})
            seen.append((run.stage, polled.content.decode()))

        return importer(**{**kwargs, "stage": stage})

    monkeypatch.setitem(runs.IMPORTERS, what, watching)
    check = ImportRun.objects.get()
    assert import_run_execute(run_id=check.pk) == "checked"
    ((stage, page),) = seen
    assert stage == "checking"
    assert "All 3 rows read: checking them against the book." in page
    assert "<progress aria-label" in page and "99%" not in page

    seen.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**mapping_post(client.get(url)), "action": "commit"})
    commit_run = ImportRun.objects.get(commit=True)
    assert import_run_execute(run_id=commit_run.pk) == "committed"
    ((stage, page),) = seen
    assert stage == "saving"
    assert "All 3 rows read and checked: saving them." in page
    assert "nothing is saved until all of them are" in page and "99%" not in page
    commit_run.refresh_from_db()
    assert (commit_run.state, commit_run.percent) == (ImportState.DONE, 100)


def test_a_big_file_with_bad_rows_reports_them_from_the_run(
    client, rep1, data_dir, tmp_path, settings, monkeypatch
):
    settings.TEND_IMPORT_BACKGROUND_BYTES = 10
    rows = good_rows()
    rows[0][9] = "free"
    client.force_login(rep1)
    upload(client, write_csv(tmp_path / "orders.csv", HEADERS, rows))
    client.get(URL)
    run = ImportRun.objects.get()
    import_run_execute(run_id=run.pk)
    page = client.get(URL)
    assert page.context["can_commit"] is False
    assert "“free” is not a number." in page.content.decode()

    def read_again(*args, **kwargs):
        raise AssertionError("the errors come from the run, not another read of the file")

    monkeypatch.setattr(views, "_check", read_again)
    response = client.get("/imports/orders/errors.csv")
    listed = b"".join(response.streaming_content).decode("utf-8-sig")
    assert listed.splitlines() == ["Row,Column,Problem", "2,Unit price,“free” is not a number."]


def test_someone_elses_run_is_a_404(client, rep1, rep2, data_dir, tmp_path, settings):
    settings.TEND_IMPORT_BACKGROUND_BYTES = 10
    client.force_login(rep1)
    upload(client, write_csv(tmp_path / "orders.csv", HEADERS, good_rows()))
    client.get(URL)
    run = ImportRun.objects.get()
    client.force_login(rep2)
    assert client.get(f"/imports/runs/{run.pk}/").status_code == 404


def test_a_big_customer_file_runs_in_the_background_and_stores_its_progress_as_it_reads(
    client, manager1, data_dir, tmp_path, settings, monkeypatch
):
    settings.TEND_IMPORT_BACKGROUND_BYTES = 10
    client.force_login(manager1)
    path = write_csv(tmp_path / "book.csv", CUSTOMER_HEADERS, book_rows(1200))
    upload(client, path, "/imports/customers/")
    client.get("/imports/customers/")
    run = ImportRun.objects.get()
    stored = []
    importer = runs.IMPORTERS["customers"]

    def spying(**kwargs):
        report = kwargs["progress"]

        def progress(done):
            report(done)
            stored.append(ImportRun.objects.get(pk=run.pk).rows_done)

        return importer(**{**kwargs, "progress": progress})

    monkeypatch.setitem(runs.IMPORTERS, "customers", spying)
    assert import_run_execute(run_id=run.pk) == "checked"
    run.refresh_from_db()
    assert stored == [500, 1000, 1200]
    assert (run.what, run.rows_total, run.rows_done, run.result["counts"]["customers_created"]) == (
        "customers",
        1200,
        1200,
        1200,
    )
    assert Customer.objects.count() == 4  # the book only: a check writes nothing


@pytest.mark.django_db(transaction=True)
def test_tend_worker_runs_a_queued_import(client, rep1, data_dir, tmp_path, settings):
    settings.TEND_IMPORT_BACKGROUND_BYTES = 10
    client.force_login(rep1)
    upload(client, write_csv(tmp_path / "orders.csv", HEADERS, good_rows()))
    client.get(URL)  # autocommit here: the task is queued when the run is saved
    assert ImportRun.objects.get().state == ImportState.QUEUED

    call_command("worker", "--once", stdout=StringIO())

    run = ImportRun.objects.get()
    assert (run.state, run.rows_done, run.result["counts"]["orders_created"]) == (
        ImportState.DONE,
        3,
        2,
    )
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_an_imported_order_beyond_the_discount_policy_is_said_to_wait_for_approval(
    client, rep1, data_dir, tmp_path
):
    rows = good_rows()
    rows[0][10] = "40"
    client.force_login(rep1)
    upload(client, write_csv(tmp_path / "orders.csv", HEADERS, rows))
    page = client.get(URL)
    assert "1 new order is priced beyond the discount policy" in page.content.decode()
    done = client.post(URL, {**mapping_post(page), "action": "commit"}, follow=True)
    assert "1 new order is priced beyond the discount policy: it is a draft until" in (
        done.content.decode()
    )
    assert Order.objects.get(number="SO-1001").status == "draft"
