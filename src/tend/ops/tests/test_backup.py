"""``tend backup`` and ``tend restore`` as a person runs them, on a demo book: every table's rows
and checksum come back equal, on SQLite, on PostgreSQL, and from SQLite into PostgreSQL."""

import json
import shutil
import subprocess
import tarfile
import time

import pytest

from tend.ops.backup import backups_list, backups_prune

from .workers import PYTHON, Site, on_postgres


def build_book(folder, name: str, *, template=None, sqlite: bool = False) -> Site:
    site = Site(folder, name, sqlite=sqlite).create(template=template)
    if template is None:
        site.tend("migrate", "-v0")
    site.demo(12, 5)
    return site


@pytest.fixture(scope="module")
def book(tmp_path_factory, migrated):
    site = build_book(tmp_path_factory.mktemp("book"), "book", template=migrated)
    yield site
    site.drop()


@pytest.fixture
def empty_site(tmp_path):
    site = Site(tmp_path / "target", "target").create()
    yield site
    site.drop()


def only_backup(folder) -> str:
    (path,) = [path for _stamp, path in backups_list(folder)]
    return str(path)


@pytest.fixture(scope="module")
def archive(book, tmp_path_factory):
    """One backup of the book (with the portable dump), and the book's checksums then."""
    folder = tmp_path_factory.mktemp("backups")
    expected = book.kit("checksums")
    said = book.tend("backup", "--portable", "--dir", str(folder))
    path = only_backup(folder)
    assert path in said
    return path, expected


def assert_derived_like(site, book) -> None:
    """The report's stored revenue and the contact threads (derived from the orders and the
    interactions by triggers) are whole and right."""
    restored, built = site.kit("derived"), book.kit("derived")
    assert built["mismatches"] == [] and built["year_rows"] > 0  # the demo build kept it
    assert built["thread_rows"] > 0
    assert restored == built


def test_backup_then_restore_into_an_empty_database_keeps_every_row(archive, empty_site, book):
    path, expected = archive

    printed = empty_site.tend("restore", path)

    assert empty_site.kit("checksums") == expected
    assert_derived_like(empty_site, book)
    assert expected["customers_customer"]["rows"] > 0
    method = "pg_restore" if on_postgres() else "sqlite backup API"
    assert f"({method})" in printed
    (line,) = [line for line in printed.splitlines() if line.startswith("customers_customer ")]
    assert line.split() == ["customers_customer", str(expected["customers_customer"]["rows"])]


def test_the_portable_dump_restores_every_row_and_matches_its_checksums(archive, empty_site, book):
    path, expected = archive
    with tarfile.open(path) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["tables"] == expected  # the dump's own checksums: the book as it was

    printed = empty_site.tend("restore", "--portable", path)

    assert "(portable dump)" in printed
    assert empty_site.kit("checksums") == expected
    assert_derived_like(empty_site, book)


def test_restore_refuses_a_database_that_holds_a_book_unless_forced(book, archive):
    path, expected = archive

    refused = subprocess.run(
        [PYTHON, "-m", "tend", "restore", path],
        env=book.env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert refused.returncode != 0
    assert "The database is not empty" in refused.stderr
    assert book.kit("checksums") == expected
    book.tend("restore", "--replace", path)
    assert book.kit("checksums") == expected


def test_a_damaged_backup_is_refused_and_nothing_is_restored(archive, empty_site, tmp_path):
    damaged = tmp_path / "damaged.tar"
    shutil.copyfile(archive[0], damaged)
    with tarfile.open(damaged) as tar:
        member = tar.getmember("database.pgdump" if on_postgres() else "database.sqlite3.gz")
    with damaged.open("r+b") as handle:  # one byte of the database dump flipped
        handle.seek(member.offset_data + member.size // 2)
        byte = handle.read(1)
        handle.seek(-1, 1)
        handle.write(bytes([byte[0] ^ 0xFF]))

    refused = subprocess.run(
        [PYTHON, "-m", "tend", "restore", str(damaged)],
        env=empty_site.env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert refused.returncode != 0
    assert "does not match its checksum" in refused.stderr


@pytest.mark.postgres_only
def test_a_sqlite_backup_restores_into_postgresql(tmp_path, migrated):
    """Into a PostgreSQL database set up with ``tend migrate`` (the portable test above
    restores into one without tables): it keeps its tables, and only the backup's rows."""
    sqlite_book = build_book(tmp_path / "sqlite", "sqlite", sqlite=True)
    expected = sqlite_book.kit("checksums")
    sqlite_book.tend("backup", "--dir", str(tmp_path / "backups"))
    target = Site(tmp_path / "target", "target").create(template=migrated)

    try:
        printed = target.tend("restore", only_backup(tmp_path / "backups"))

        assert "The database already has the backup's schema." in printed
        assert "(SQLite file copied table by table)" in printed
        assert target.kit("checksums") == expected
    finally:
        target.drop()


def test_a_backup_taken_while_orders_are_written_restores_whole_orders(book, empty_site, tmp_path):
    """The writer commits an order and its three lines in one transaction, non-stop; the
    backup runs in the middle of it. The restored book has whole orders only."""
    folder = tmp_path / "writer"
    folder.mkdir()
    writer = subprocess.Popen(
        [PYTHON, "-m", "tend.ops.tests.killkit", f"write_orders:{folder}"],
        env=book.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_written(folder, at_least=5, writer=writer)
        book.tend("backup", "--dir", str(tmp_path / "backups"))
        after_backup = written(folder)
        wait_for_written(folder, at_least=after_backup + 3, writer=writer)
    finally:
        (folder / "stop").write_text("")
        writer.wait(timeout=60)
    assert writer.returncode == 0, writer.stderr.read()
    final = book.kit("consistency")

    empty_site.tend("restore", only_backup(tmp_path / "backups"))

    restored = empty_site.kit("consistency")
    assert restored["orders_without_three_lines"] == 0
    assert restored["lines_without_order"] == 0
    assert 5 <= restored["orders"] < final["orders"]  # taken mid-way, whole orders only


def written(folder) -> int:
    try:
        return int((folder / "written").read_text() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def wait_for_written(folder, *, at_least: int, writer) -> None:
    deadline = time.monotonic() + 120
    while written(folder) < at_least:
        assert writer.poll() is None, writer.stderr.read()
        assert time.monotonic() < deadline, "the writer stalled"
        time.sleep(0.05)


def test_retention_keeps_the_newest_of_each_recent_day_and_month(tmp_path, settings):
    settings.TIME_ZONE = "UTC"
    stamps = [
        "20261205T020000Z",
        "20261205T140000Z",  # the 5th's newest
        "20261204T020000Z",
        "20261203T020000Z",
        "20261130T020000Z",  # November's newest
        "20261101T020000Z",
        "20261031T020000Z",  # October's newest, beyond two months
    ]
    for stamp in stamps:
        (tmp_path / f"tend-backup-{stamp}.tar").write_text("")
    (tmp_path / "notes.txt").write_text("not a backup")

    backups_prune(directory=tmp_path, keep_daily=2, keep_monthly=2)

    kept = sorted(path.name for _stamp, path in backups_list(tmp_path))
    assert kept == [
        "tend-backup-20261130T020000Z.tar",
        "tend-backup-20261204T020000Z.tar",
        "tend-backup-20261205T140000Z.tar",
    ]
    assert (tmp_path / "notes.txt").exists()
