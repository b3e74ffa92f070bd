"""``tend backup`` and ``tend restore`` on a demo book, on SQLite and on PostgreSQL.

    .venv/bin/python bench/backup.py                     # 100,000 customers
    .venv/bin/python bench/backup.py --customers 20000   # a smaller book
    .venv/bin/python bench/backup.py --quick             # 300 customers (under a minute)
    TEND_DATA_DIR=/tmp/copy .venv/bin/python bench/backup.py --existing   # a book already built

For each database a worker builds the demo book in a fresh database, times ``tend backup``
(database dump + portable dump + manifest, as the command runs it) and then ``tend restore``
of that archive into a second, empty database (a process of its own, as a person runs it:
restore, migrate, counts compared with the manifest). The SQLite worker also restores its
archive into an empty PostgreSQL database (the portable path).

With ``--existing`` nothing is built: the database the environment names (``DATABASE_URL``, else
SQLite in ``TEND_DATA_DIR``) is backed up as it is, in this process (a copy of a big book, so
before/after figures come from the same rows), and restored into a fresh database (SQLite: a
temporary folder; PostgreSQL: ``<its name>_restored``, dropped afterwards); a SQLite archive
also into PostgreSQL (``--postgres-url`` + ``_from_sqlite``) unless ``--no-postgres``.

Aim (issue 20): backup and restore each under 3 minutes on 100,000 customers. The last line
is JSON with ``backup_s`` and ``restore_s`` per database.
"""

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import existing_or_built, postgres_drop, postgres_ready, report  # noqa: E402

SEED = 7
SRC = Path(__file__).resolve().parents[1] / "src"


def restore_elsewhere(archive: Path, env_updates: dict, data_dir: Path) -> float:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(env_updates, TEND_DATA_DIR=str(data_dir), PYTHONPATH=str(SRC))
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "tend", "restore", str(archive)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"tend restore failed:\n{completed.stdout}\n{completed.stderr}")
    print("  " + completed.stdout.strip().splitlines()[-1], file=sys.stderr)
    return seconds


def worker(args) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tend.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from tend.ops.backup import backup_create

    started = time.perf_counter()
    if args.existing:
        from tend.customers.models import Customer

        args.customers = Customer.objects.count()
    else:
        call_command("migrate", verbosity=0)
        call_command("demo", customers=args.customers, seed=SEED, stdout=io.StringIO())
    demo_s = time.perf_counter() - started
    vendor = connection.vendor
    folder = Path(settings.DATA_DIR) / "bench-backups"
    started = time.perf_counter()
    result = backup_create(directory=folder)
    backup_s = time.perf_counter() - started
    rows = sum(item["rows"] for item in result.manifest["tables"].values())
    size_mb = result.path.stat().st_size / 1e6
    print(
        f"  {vendor:<10} {rows} rows: backup {backup_s:.1f} s, {size_mb:.1f} MB",
        file=sys.stderr,
        flush=True,
    )
    connection.close()
    figures = {
        "vendor": vendor,
        "customers": args.customers,
        "rows": rows,
        "archive_mb": round(size_mb, 1),
        "demo_s": round(demo_s, 1),
        "backup_s": round(backup_s, 1),
    }
    scratch = Path(tempfile.mkdtemp(prefix="tend-bench-restore-"))
    try:
        _restores(args, vendor, result.path, scratch, figures)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if args.existing:
            shutil.rmtree(folder, ignore_errors=True)
    figures["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return figures


def _restores(args, vendor: str, archive: Path, scratch: Path, figures: dict) -> None:
    """Restore ``archive`` into a fresh database of its engine, and a SQLite one into
    PostgreSQL too; seconds into ``figures``."""
    if vendor == "sqlite":
        figures["restore_s"] = round(restore_elsewhere(archive, {}, scratch / "restored"), 1)
        print(f"  {vendor:<10} restore {figures['restore_s']} s", file=sys.stderr, flush=True)
        if args.postgres_url and not args.no_postgres:
            target = args.postgres_url + "_from_sqlite"
            if problem := postgres_ready(target):
                print(f"  SQLite→PostgreSQL skipped: {problem}", file=sys.stderr)
                return
            try:
                seconds = restore_elsewhere(archive, {"DATABASE_URL": target}, scratch / "to-pg")
                figures["restore_into_postgresql_s"] = round(seconds, 1)
            finally:
                postgres_drop(target)
            print(f"  SQLite→PostgreSQL restore {seconds:.1f} s", file=sys.stderr, flush=True)
    else:
        target = os.environ["DATABASE_URL"] + "_restored"
        problem = postgres_ready(target)
        if problem:
            raise SystemExit(problem)
        try:
            figures["restore_s"] = round(
                restore_elsewhere(archive, {"DATABASE_URL": target}, scratch / "restored"), 1
            )
        finally:
            postgres_drop(target)
        print(f"  {vendor:<10} restore {figures['restore_s']} s", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="300 customers")
    parser.add_argument("--customers", type=int, default=None)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/tend_bench_backup"
        ),
    )
    parser.add_argument(
        "--existing", action="store_true", help="back up the database the environment names"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.customers = args.customers or (300 if args.quick else 100_000)
    if args.worker:
        report(worker(args))
        return
    argv = ["--customers", str(args.customers), "--postgres-url", args.postgres_url]
    if args.no_postgres:
        argv.append("--no-postgres")
    started = time.perf_counter()
    results, notes = existing_or_built(
        args,
        worker,
        __file__,
        argv,
        postgres_url=args.postgres_url,
        postgres=not args.no_postgres,
        what=f"demo book of {args.customers} customers, backup, restore",
    )
    if args.existing:
        args.customers = results[0]["customers"]
    for note in notes:
        print(note)
    for result in results:
        extra = (
            f", SQLite→PostgreSQL restore {result['restore_into_postgresql_s']} s"
            if "restore_into_postgresql_s" in result
            else ""
        )
        print(
            f"{result['vendor']:<10} {result['rows']:>9} rows  backup {result['backup_s']:>6} s  "
            f"restore {result['restore_s']:>6} s  ({result['archive_mb']} MB){extra}"
        )
    summary = {
        "bench": "backup",
        "customers": args.customers,
        "quick": args.quick,
        "seconds": round(time.perf_counter() - started, 1),
        "databases": {r["vendor"]: r for r in results},
        "backup_s": {r["vendor"]: r["backup_s"] for r in results},
        "restore_s": {r["vendor"]: r["restore_s"] for r in results},
        "restore_sqlite_into_postgresql_s": next(
            (r["restore_into_postgresql_s"] for r in results if "restore_into_postgresql_s" in r),
            None,
        ),
        "load_average": {r["vendor"]: r["load_average"] for r in results},
        "notes": notes,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
