"""At most a few page renders at a time in each server process; static files never wait.

Python runs one thread at a time per process. With eight threads all rendering pages, a 5 ms
static file shares the process with seven renders and takes as long as they do. This middleware
sits after WhiteNoise, which answers static files before it: pages past the limit wait their
turn here (waiting costs no CPU), so a static file competes with at most ``limit`` renders,
and pages are served closer to first come, first served."""

import threading

from django.conf import settings


class PageGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.gate = threading.BoundedSemaphore(max(1, settings.TEND_PAGE_CONCURRENCY))

    def __call__(self, request):
        with self.gate:
            return self.get_response(request)
