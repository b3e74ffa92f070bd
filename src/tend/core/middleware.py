"""Input every request carries is checked once, before any view: a body over the limit is a
413, a NUL or a lone surrogate in a parameter or a JSON body is a 4xx naming the field, and an
id in the path that no column can hold is a 404. Pages, uploads, the API and the admin alike."""

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .inputs import API_PREFIX, DB_INT_MAX, parameter_refused, text_problem

FORM_SLACK_BYTES = 1024 * 1024  # the other fields and the multipart boundaries of an upload


def _body_limit(request) -> int:
    if request.content_type == "multipart/form-data":
        return settings.TEND_MAX_UPLOAD_BYTES + FORM_SLACK_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _walk(value, path: str):
    """(field path, text) for every key and string in a JSON document."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            yield child, str(key)
            yield from _walk(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}.{index}" if path else str(index))


class InputGuardMiddleware:
    """After the locale layer (its answers are translated), before CSRF and the views, so an
    oversized body is never parsed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _content_length(request) > _body_limit(request):
            return self._too_big(request)
        try:
            refused = self._refuse_bad_text(request)
        except RequestDataTooBig:
            return self._too_big(request)
        return refused or self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if any(isinstance(v, int) and v > DB_INT_MAX for v in [*view_args, *view_kwargs.values()]):
            raise Http404(_("No such record."))

    def process_exception(self, request, exception):
        if isinstance(exception, RequestDataTooBig):
            return self._too_big(request)
        return None

    def _refuse_bad_text(self, request):
        fields = [request.GET]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            fields.append(request.POST)
        for query in fields:
            for name, values in query.lists():
                for text in [name, *values]:
                    if problem := text_problem(text):
                        return parameter_refused(request, name, problem)
        if request.content_type == "application/json" and request.body:
            try:
                document = json.loads(request.body)
            except ValueError:
                return None  # the view answers malformed JSON in its own words
            for name, text in _walk(document, ""):
                if problem := text_problem(text):
                    return parameter_refused(request, name or "__all__", problem)
        return None

    def _too_big(self, request):
        """The limit named is the one that was passed: the whole body, or an upload's fields."""
        upload_too_big = request.content_type == "multipart/form-data" and (
            _content_length(request) > _body_limit(request)
        )
        limit = (
            settings.TEND_MAX_UPLOAD_BYTES
            if upload_too_big
            else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        )
        message = _("The request is too large: at most %(size)s.") % {"size": filesizeformat(limit)}
        if request.path.startswith(API_PREFIX):
            return JsonResponse({"message": message}, status=413)
        return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
