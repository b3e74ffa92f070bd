"""``tend serve``: gunicorn with WhiteNoise for a team, or ``--dev`` for Django's reloader."""

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve Tend: gunicorn (production-grade) by default, --dev for the auto-reloader."

    def add_arguments(self, parser):
        parser.add_argument("--dev", action="store_true", help="Django's auto-reloading server.")
        parser.add_argument("--host", default=os.environ.get("TEND_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("TEND_PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("TEND_WORKERS", str(2 * (os.cpu_count() or 1) + 1))),
        )

    def handle(self, *args, dev, host, port, workers, **options):
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
        if settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        from gunicorn.app.wsgiapp import WSGIApplication

        self.stdout.write(f"Tend is serving at http://{bind}/ with {workers} workers")
        argv = [
            "gunicorn",
            "tend.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--timeout",
            "120",
        ]
        import sys

        sys.argv = argv
        WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
