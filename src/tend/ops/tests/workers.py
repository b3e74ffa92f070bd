"""Real ``tend`` processes against a database of their own, for the kill and backup tests.

On SQLite (the default run) the database is a file in a temporary folder; in the PostgreSQL
half of the suite (``DATABASE_URL=postgresql://...``) it is a database of its own next to the
test database, named after it.

Start-up is what these tests spend most on (Django's setup, and a fresh database's migrations),
so: a site that needs a migrated, empty database starts from a copy of one migrated once per
run (``Template``); the looks into a site's database go to one helper process that stays up;
commands run with ``--skip-checks`` (the checks are not what these tests prove)."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg

SRC = Path(__file__).resolve().parents[3]
PYTHON = sys.executable
# Commands that run no system checks, and so take no ``--skip-checks``.
UNCHECKED = {"backup", "restore"}
# ``tend demo`` without the 90 days of past scores (six more scorings of the whole book, which
# the round trips do not need: today's scores fill the same tables). Runs the release the
# environment's PYTHONPATH names, the previous one's too.
DEMO = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tend.settings")
import django
django.setup()
import tend.health.demo
tend.health.demo.HISTORY_EVERY = ()
from tend.cli import main
main(["tend", "demo", "--skip-checks", *sys.argv[1:]])
"""


def on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith("postgres")


class Site:
    """One Tend installation: its environment, and ways to run commands in it."""

    def __init__(
        self, folder: Path, name: str, extra: dict | None = None, *, sqlite: bool = False
    ) -> None:
        self.folder = folder
        self.data_dir = folder / "data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PYTEST", "DJANGO_SETTINGS"))
        }
        env.update(PYTHONPATH=str(SRC), TEND_DATA_DIR=str(self.data_dir), LOG_LEVEL="WARNING")
        env.pop("DATABASE_URL", None)
        self.database_url = ""
        if on_postgres() and not sqlite:
            base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
            self.pg_name = f"{os.environ['DATABASE_URL'].rsplit('/', 1)[1]}_{name}"
            self.database_url = f"{base}/{self.pg_name}"
            self.admin_url = f"{base}/postgres"
            env["DATABASE_URL"] = self.database_url
        env.update(extra or {})
        self.env = env

        self._helper: subprocess.Popen | None = None

    @property
    def sqlite_file(self) -> Path:
        return self.data_dir / "tend.sqlite3"

    def create(self, template: "Template | None" = None) -> "Site":
        """An empty database; with ``template``, a copy of the template's migrated one."""
        if self.database_url:
            with psycopg.connect(self.admin_url, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
                copy = f' TEMPLATE "{template.site.pg_name}"' if template else ""
                connection.execute(f'CREATE DATABASE "{self.pg_name}"{copy}')
        elif template:
            sqlite_copy(template.site.sqlite_file, self.sqlite_file)
        return self

    def drop(self) -> None:
        self.close()
        if self.database_url:
            with psycopg.connect(self.admin_url, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')

    def close(self) -> None:
        """Stop the helper process, if one is up."""
        if self._helper is not None:
            self._helper.stdin.close()
            self._helper.wait(timeout=30)
            self._helper = None

    def tend(self, *args: str, env: dict | None = None, timeout: float = 300) -> str:
        skip = [] if args[0] in UNCHECKED else ["--skip-checks"]
        completed = subprocess.run(
            [PYTHON, "-m", "tend", *args, *skip],
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if completed.returncode != 0:
            raise AssertionError(
                f"tend {' '.join(args)} failed ({completed.returncode}):\n"
                f"{completed.stdout}\n{completed.stderr}"
            )
        return completed.stdout

    def demo(self, customers: int, seed: int, *, env: dict | None = None) -> None:
        completed = subprocess.run(
            [PYTHON, "-c", DEMO, "--customers", str(customers), "--seed", str(seed)],
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if completed.returncode != 0:
            raise AssertionError(f"tend demo failed:\n{completed.stdout}\n{completed.stderr}")

    def kit(self, *steps: str):
        """Run ``killkit`` steps in the site's helper process (started on first use); the
        last step's result."""
        if self._helper is None or self._helper.poll() is not None:
            self._helper = subprocess.Popen(
                [PYTHON, "-m", "tend.ops.tests.killkit", "--serve"],
                env=self.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=(self.folder / "helper.log").open("a"),
                text=True,
            )
        self._helper.stdin.write(json.dumps(steps) + "\n")
        self._helper.stdin.flush()
        line = self._helper.stdout.readline()
        if not line:
            log = (self.folder / "helper.log").read_text()
            raise AssertionError(f"killkit {steps}: the helper died:\n{log}")
        answer = json.loads(line)
        if "error" in answer:
            raise AssertionError(f"killkit {steps} failed:\n{answer['error']}")
        return answer["result"]

    def worker_killed_at(self, point: str, *, timeout: float = 120) -> float:
        """Start ``tend worker``, wait until it stands at ``point``, SIGKILL it there; return
        when (``time.monotonic()``) it was killed."""
        marker = self.folder / "crash-point"
        marker.unlink(missing_ok=True)
        log = (self.folder / "worker.log").open("w")
        process = subprocess.Popen(
            [PYTHON, "-m", "tend", "worker", "--interval", "1", "--skip-checks"],
            env={**self.env, "TEND_CRASH_POINT": point, "TEND_CRASH_FILE": str(marker)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        try:
            while not marker.exists():
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    output = (self.folder / "worker.log").read_text()
                    raise AssertionError(f"The worker never reached {point}:\n{output}")
                time.sleep(0.02)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            log.close()
        assert process.returncode == -signal.SIGKILL
        return time.monotonic()


def sqlite_copy(source: Path, target: Path) -> None:
    """A SQLite database copied through its backup API (a WAL file may hold recent pages)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(str(source))
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


class Template:
    """A database migrated once (``tend migrate``, as a person runs it), for the sites of a run
    that start from an empty, migrated one: on PostgreSQL a template database, on SQLite a file
    copied. Nothing may stay connected to it."""

    def __init__(self, folder: Path) -> None:
        self.site = Site(folder, "template").create()
        self.site.tend("migrate", "-v0")

    def drop(self) -> None:
        self.site.drop()
