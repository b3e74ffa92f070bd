"""Upgrading keeps every row: a database built by the previous release (its own code, its own
demo) is migrated by this release's ``tend migrate``; every table keeps its rows.

The previous release is a commit of this repository (``PREVIOUS_RELEASE``, moved forward at
each release); its source is taken with ``git archive``, so the test needs the git history
and is skipped without it."""

import json
import subprocess
import tarfile

import pytest

from .workers import PYTHON, SRC, Site

PREVIOUS_RELEASE = "66c55ed5d085ba2b04cafd2a353f6c0926607804"

COUNT_TABLES = """
import json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tend.settings")
import django
django.setup()
from django.db import connection
counts = {}
with connection.cursor() as cursor:
    for table in sorted(connection.introspection.table_names()):
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        counts[table] = cursor.fetchone()[0]
print(json.dumps(counts))
"""


def previous_release_source(folder) -> str:
    repository = SRC.parent
    archive = folder / "previous.tar"
    try:
        with archive.open("wb") as out:
            subprocess.run(
                ["git", "-C", str(repository), "archive", PREVIOUS_RELEASE, "src"],
                stdout=out,
                stderr=subprocess.PIPE,
                check=True,
            )
    except (OSError, subprocess.CalledProcessError):
        pytest.skip(f"the previous release ({PREVIOUS_RELEASE[:7]}) is not in this checkout")
    with tarfile.open(archive) as tar:
        tar.extractall(folder / "previous", filter="data")
    return str(folder / "previous" / "src")


def counts(site: Site, source: str) -> dict:
    completed = subprocess.run(
        [PYTHON, "-c", COUNT_TABLES],
        env={**site.env, "PYTHONPATH": source},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_a_previous_release_demo_book_migrates_to_this_release_keeping_every_row(tmp_path):
    old_source = previous_release_source(tmp_path)
    site = Site(tmp_path / "site", "upgrade").create()
    try:
        old = {"PYTHONPATH": old_source}
        site.tend("migrate", "-v0", env=old)
        site.demo(10, 11, env=old)
        before = counts(site, old_source)

        site.tend("migrate", "-v0")

        after = counts(site, str(SRC))
        # New models add their content types and permissions; every other table is unchanged.
        grows = {"django_migrations", "django_content_type", "auth_permission"}
        # SQLite's planner statistics (sqlite_stat1) are not data: migrations may refresh them.
        kept = {
            table: after.get(table)
            for table in before
            if table not in grows and not table.startswith("sqlite_stat")
        }
        assert kept == {table: rows for table, rows in before.items() if table in kept}
        assert all(after[table] >= before[table] for table in grows)
        assert before["customers_customer"] > 0 and before["orders_orderline"] > 0
        assert after["django_migrations"] > before["django_migrations"]  # it did upgrade
    finally:
        site.drop()
