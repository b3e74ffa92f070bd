"""The ``tend`` command: Django's management commands under one friendly name.

``tend serve``, ``tend migrate``, ``tend demo``, ``tend createuser`` and every other
``manage.py`` command.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tend.settings")
    # Scoring is vectorised numpy on one core's worth of data at a time; BLAS threads fighting
    # the web server and other workers for two cores made fits up to 100x slower under load.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "tend"
    try:
        execute_from_command_line(args)
    except ImproperlyConfigured as exc:
        # A setting the person has to fix: say which, in one line, not a traceback.
        sys.stderr.write(f"tend: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
