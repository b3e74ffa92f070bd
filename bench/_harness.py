"""What the benchmarks share: a fresh PostgreSQL database per run, and a worker process per
database so each measures one database with its own environment."""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

WORKER_MARK = "BENCH-RESULT "


def postgres_ready(url: str) -> str:
    """Create a fresh database for the URL; '' if that worked, else why not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        return f"PostgreSQL at {parts.hostname}:{parts.port or 5432} is not usable ({exc})"
    return ""


def postgres_drop(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def run_worker(script: str, argv: list[str], env_updates: dict, data_dir: str) -> dict:
    """Run ``script --worker *argv`` with a clean database environment; return the JSON the
    worker printed after ``WORKER_MARK``."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(env_updates)
    env.update(
        TEND_DATA_DIR=data_dir,
        DJANGO_SETTINGS_MODULE="tend.settings",
        DEBUG="false",
        LOG_LEVEL="ERROR",
        PYTHONUNBUFFERED="1",
        OPENBLAS_NUM_THREADS="1",
    )
    process = subprocess.run(
        [sys.executable, script, "--worker", *argv],
        env=env,
        stdout=subprocess.PIPE,
        stderr=None,
        text=True,
        check=False,
    )
    lines = [line for line in process.stdout.splitlines() if line.startswith(WORKER_MARK)]
    if process.returncode != 0 or not lines:
        raise SystemExit(f"The worker failed (exit {process.returncode}):\n{process.stdout}")
    return json.loads(lines[-1][len(WORKER_MARK) :])


def report(result: dict) -> None:
    """The worker's last line: its figures as JSON for the parent."""
    print(WORKER_MARK + json.dumps(result), flush=True)


def existing_or_built(args, worker, script: str, argv: list[str], **options):
    """With ``--existing``, ``worker`` times the database the environment names, in this
    process; otherwise ``run_on_databases`` builds a book per database. Returns the results
    and the notes."""
    if args.existing:
        return [worker(args)], ["existing database, nothing built"]
    return run_on_databases(script, argv, **options)


def run_on_databases(
    script: str,
    argv: list[str],
    *,
    postgres_url: str,
    sqlite: bool = True,
    postgres: bool = True,
    what: str = "",
) -> tuple[list[dict], list[str]]:
    """One worker on SQLite (in a temporary folder), then one on a fresh PostgreSQL database
    that is dropped afterwards. Returns the workers' results and notes on what was skipped."""
    results, notes = [], []
    with tempfile.TemporaryDirectory(prefix="tend-bench-") as data_dir:
        if sqlite:
            print(f"SQLite: {what}…", file=sys.stderr)
            results.append(run_worker(script, argv, {}, str(Path(data_dir) / "sqlite")))
        if not postgres:
            notes.append("PostgreSQL skipped (--no-postgres).")
        elif problem := postgres_ready(postgres_url):
            notes.append(f"PostgreSQL skipped: {problem}.")
            print(notes[-1], file=sys.stderr)
        else:
            print(f"PostgreSQL: {what}…", file=sys.stderr)
            try:
                env = {"DATABASE_URL": postgres_url}
                results.append(run_worker(script, argv, env, str(Path(data_dir) / "pg")))
            finally:
                postgres_drop(postgres_url)
    return results, notes
