"""Named points in background work where a test can stop the process and kill it.

Production never sets ``TEND_CRASH_POINT``. A kill test starts a real ``tend worker`` with it
naming a point; when the worker reaches that point it writes its pid to ``TEND_CRASH_FILE`` and
waits, so the test kills it there with SIGKILL (not somewhere around there) and then checks
that a fresh worker finishes the work without repeating any of it."""

import os
import time
from pathlib import Path


def crash_point(name: str) -> None:
    if os.environ.get("TEND_CRASH_POINT") != name:
        return
    marker = Path(os.environ.get("TEND_CRASH_FILE", "tend-crash-point"))
    marker.write_text(f"{os.getpid()} {name}\n")
    while True:  # until killed
        time.sleep(0.5)
