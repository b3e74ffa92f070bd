"""Real ``tend`` processes against a database of their own, for the kill and backup tests.

On SQLite (the default run) the database is a file in a temporary folder; in the PostgreSQL
half of the suite (``DATABASE_URL=postgresql://...``) it is a database of its own next to the
test database, named after it."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg

SRC = Path(__file__).resolve().parents[3]
PYTHON = sys.executable


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

    def create(self) -> "Site":
        if self.database_url:
            with psycopg.connect(self.admin_url, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
                connection.execute(f'CREATE DATABASE "{self.pg_name}"')
        return self

    def drop(self) -> None:
        if self.database_url:
            with psycopg.connect(self.admin_url, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')

    def tend(self, *args: str, env: dict | None = None, timeout: float = 300) -> str:
        completed = subprocess.run(
            [PYTHON, "-m", "tend", *args],
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

    def kit(self, *steps: str):
        completed = subprocess.run(
            [PYTHON, "-m", "tend.ops.tests.killkit", *steps],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if completed.returncode != 0:
            raise AssertionError(f"killkit {steps} failed:\n{completed.stderr}")
        return json.loads(completed.stdout.strip().splitlines()[-1])

    def worker_killed_at(self, point: str, *, timeout: float = 120) -> None:
        """Start ``tend worker``, wait until it stands at ``point``, SIGKILL it there."""
        marker = self.folder / "crash-point"
        marker.unlink(missing_ok=True)
        log = (self.folder / "worker.log").open("w")
        process = subprocess.Popen(
            [PYTHON, "-m", "tend", "worker", "--interval", "1"],
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
                time.sleep(0.05)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            log.close()
        assert process.returncode == -signal.SIGKILL
