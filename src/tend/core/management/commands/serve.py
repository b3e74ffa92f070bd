"""``tend serve``: gunicorn with WhiteNoise for a team, or ``--dev`` for Django's reloader.

Workers are processes (one per core by default: Python renders pages one at a time per
process), each with a pool of threads (``gthread``), so a request waiting on the database or a
small static file never queues behind another request's page render, and browsers keep their
connection open between requests (keep-alive). Every thread keeps its database connection
(``CONN_MAX_AGE``, checked before reuse)."""

import hashlib
import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

# Threads per worker. Only TEND_PAGE_CONCURRENCY of them render at once (tend.core.gate); the
# others wait their turn or serve static files, so there are more than the users working at
# once: a static file never waits for a free thread. Each keeps a database connection.
THREADS = 16


def default_workers() -> int:
    """One process per core, at least two (one busy rendering leaves the other to answer)."""
    return max(2, os.cpu_count() or 1)


def _env_count(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if not value:
        return default
    if not value.isdigit() or not 1 <= int(value) <= 256:
        raise CommandError(f"{name} must be a whole number from 1 to 256, not {value!r}.")
    return int(value)


def _count(text: str) -> int:
    import argparse

    if not text.isdigit() or not 1 <= int(text) <= 256:
        raise argparse.ArgumentTypeError(f"a whole number from 1 to 256, not {text!r}")
    return int(text)


def _static_fingerprint() -> str:
    """Names, sizes and times of every static file the apps ship."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in finder.list(ignore_patterns=[]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collect_static() -> None:
    """``collectstatic`` when the shipped files changed since the last one: it hashes and
    compresses every file again (a minute of brotli on two busy cores), not worth paying at
    every start."""
    stamp = Path(settings.STATIC_ROOT) / ".tend-collected"
    fingerprint = _static_fingerprint()
    if stamp.exists() and stamp.read_text() == fingerprint:
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint)


class Command(BaseCommand):
    help = "Serve Tend: gunicorn (production-grade) by default, --dev for the auto-reloader."

    def add_arguments(self, parser):
        parser.add_argument("--dev", action="store_true", help="Django's auto-reloading server.")
        parser.add_argument("--host", default=os.environ.get("TEND_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("TEND_PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=_count,
            default=None,
            help="processes (TEND_WORKERS; default one per core, at least 2)",
        )
        parser.add_argument(
            "--threads",
            type=_count,
            default=None,
            help=f"threads per process (TEND_THREADS; default {THREADS})",
        )

    def handle(self, *args, dev, host, port, workers, threads, **options):
        bind = f"{host}:{port}"
        if dev:
            # The reloader runs the server in a child process that reads the settings afresh.
            os.environ["TEND_DEV_SERVER"] = "1"
            settings.DEBUG = True
            call_command("runserver", bind)
            return
        if settings.DEBUG:
            raise CommandError(
                "DEBUG is on: tracebacks are for `tend serve --dev` only; unset TEND_DEV_SERVER."
            )
        workers = workers or _env_count("TEND_WORKERS", default_workers())
        threads = threads or _env_count("TEND_THREADS", THREADS)
        if settings.PRODUCTION:
            collect_static()
        from gunicorn.app.wsgiapp import WSGIApplication

        self.stdout.write(
            f"Tend is serving at http://{bind}/ with {workers} workers of {threads} threads"
        )
        argv = [
            "gunicorn",
            "tend.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--keep-alive",
            "5",
            "--timeout",
            "120",
        ]
        # No gunicorn access log: Tend's own request log (ops/logs.py) writes the one line per
        # request, with its request id, user and duration.
        sys.argv = argv
        WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
