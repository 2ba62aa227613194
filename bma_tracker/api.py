"""What every part of the REST API shares, and no app's models: JSON errors in the language of
the request (the forms' own Thai messages for bad input), cursor pagination, the per-token
throttle, ETags, and reading a JSON object into a form's data so that the API validates with
the very form classes the web pages use.

The apps' endpoints (projects/api.py, indicators/api.py, reports/api.py) are wired under
/api/v1/ by bma_tracker/api_urls.py."""

import functools
import hashlib

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import exceptions, pagination, serializers, status, throttling

from bma_tracker.caching import release
from bma_tracker.converters import CodeConverter

# --- Errors -------------------------------------------------------------------------------

API_PREFIX = "/api/"
BAD_REQUEST = _("คำขอไม่ถูกต้อง (เช่น มีอักขระ NUL ใน URL)")
INVALID_INPUT = _("ข้อมูลไม่ถูกต้อง กรุณาตรวจสอบรายการด้านล่าง")
MESSAGES = {
    exceptions.NotAuthenticated: _("กรุณาเข้าสู่ระบบ หรือส่งโทเค็น API ในส่วนหัว Authorization: Bearer …"),
    exceptions.PermissionDenied: _("คุณไม่มีสิทธิ์ทำรายการนี้"),
    exceptions.NotFound: _("ไม่พบข้อมูลที่ขอ"),
    exceptions.ParseError: _("ข้อมูลที่ส่งมาไม่ใช่ JSON ที่ถูกต้อง"),
    exceptions.UnsupportedMediaType: _("กรุณาส่งข้อมูลเป็น JSON (Content-Type: application/json)"),
    exceptions.NotAcceptable: _("ตอบได้เฉพาะ JSON (Accept: application/json)"),
}

# Their framework messages name parser internals or media types: ours say what to send.
ALWAYS_OURS = {exceptions.ParseError, exceptions.UnsupportedMediaType, exceptions.NotAcceptable}


class InvalidInput(exceptions.APIException):
    """Bad input: 400 with the messages of each field (a form's errors, as the page shows them)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, errors, detail=None):
        super().__init__(detail or INVALID_INPUT)
        self.errors = errors

    @classmethod
    def from_form(cls, form):
        return cls(
            {("non_field_errors" if name == "__all__" else name): list(errs) for name, errs in form.errors.items()}
        )


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("ข้อมูลที่ส่งมามีขนาดใหญ่เกินกำหนด")
    default_code = "too_large"


def exception_handler(exc, context):
    """Every refusal as {"detail": message, "code": …} (and "errors": {field: [messages]} for bad
    input), in the request's language; anything else is left to Django (a 500, logged)."""
    if isinstance(exc, RequestDataTooBig):  # over DATA_UPLOAD_MAX_MEMORY_SIZE, like a form post
        exc = RequestTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    # Imported here: REST framework's views module reads the settings, which name this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    # Our own words for the framework's generic refusals; a refusal with its own message keeps it.
    generic = type(exc) in ALWAYS_OURS or (
        type(exc) in MESSAGES and str(getattr(exc, "detail", "")) == str(type(exc).default_detail)
    )
    body = {"detail": str(MESSAGES[type(exc)]) if generic else _detail(response.data), "code": _code(exc)}
    if isinstance(exc, InvalidInput):
        body["errors"] = exc.errors
    elif isinstance(exc, exceptions.ValidationError):
        body = {"detail": str(INVALID_INPUT), "code": "invalid", "errors": _field_errors(response.data)}
    elif isinstance(exc, exceptions.Throttled):
        body["detail"] = str(
            _("ส่งคำขอถี่เกินไป กรุณารอ %(seconds)s วินาทีแล้วลองใหม่") % {"seconds": exc.wait and int(exc.wait + 0.999)}
        )
    response.data = body
    return response


def _detail(data):
    if isinstance(data, dict) and "detail" in data:
        return str(data["detail"])
    return str(INVALID_INPUT)


def _code(exc):
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    return codes if isinstance(codes, str) else getattr(exc, "default_code", "error")


def _field_errors(data):
    if isinstance(data, dict):
        return {
            str(name): [str(message) for message in (errs if isinstance(errs, list) else [errs])]
            for name, errs in data.items()
        }
    return {"non_field_errors": [str(message) for message in (data if isinstance(data, list) else [data])]}


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in the request's language (Thai by default).")
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Bad input: the messages of each field, the web form's own.",
    )


def error_responses(*codes):
    """The schema's answers for refusals: `codes` (400, 403, 404, 409, 413) besides the 401 and 429
    every endpoint may give."""
    descriptions = {
        400: "Bad input: the messages of each field.",
        401: "No valid token or session.",
        403: "The user's role or unit does not allow this.",
        404: "No such record.",
        406: "Only JSON is served.",
        409: "The record changed meanwhile.",
        413: "The request body is too large.",
        415: "Only JSON is accepted.",
        429: "Too many requests for this token: wait Retry-After seconds.",
    }
    every = {401, 406, 429, *codes}
    return {code: OpenApiResponse(ErrorSerializer, description=descriptions[code]) for code in sorted(every)}


# --- Input --------------------------------------------------------------------------------


NOT_SCALAR = _("ค่าของช่องนี้ต้องเป็นข้อความหรือตัวเลข")
NOT_BOOLEAN = _("ค่าของช่องนี้ต้องเป็น true หรือ false")


def form_data(request, form_class, *, convert=None):
    """The request's JSON object as the data of `form_class`: strings and numbers as typed, true /
    false for check boxes, unknown keys ignored; anything else refused with InvalidInput.
    `convert`: {field: function} turning a JSON value into what the form field reads."""
    data = request.data
    if not isinstance(data, dict):
        raise InvalidInput({"non_field_errors": [str(_("ข้อมูลต้องเป็นออบเจ็กต์ JSON"))]})
    values, errors = {}, {}
    for name, field in form_class.base_fields.items():
        if name not in data or data[name] is None:
            continue
        value = data[name]
        if isinstance(field, forms.BooleanField):
            if not isinstance(value, bool):
                errors[name] = [str(NOT_BOOLEAN)]
            values[name] = value is True
        elif isinstance(value, bool) or not isinstance(value, str | int | float):
            errors[name] = [str(NOT_SCALAR)]
        else:
            values[name] = (convert or {}).get(name, str)(value)
    if errors:
        raise InvalidInput(errors)
    return values


# --- Pagination, throttling, ETags --------------------------------------------------------


class CursorPagination(pagination.CursorPagination):
    """Opaque `cursor` links (next / previous), stable while rows are added; `page_size` up to 200."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "code"
    invalid_cursor_message = _("ค่า cursor ไม่ถูกต้อง")


def code_in_path(description):
    """The schema of a `<code:code>` URL parameter: what bma_tracker.converters.CodeConverter takes."""
    return OpenApiParameter(
        "code", str, OpenApiParameter.PATH, required=True, pattern=f"^{CodeConverter.regex}$", description=description
    )


def number_in_path(name, description, minimum=0, maximum=999_999_999):
    """The schema of an `<id:…>` or `<year:…>` URL parameter (IdConverter, YearConverter)."""
    return OpenApiParameter(
        name,
        {"type": "integer", "minimum": minimum, "maximum": maximum},
        OpenApiParameter.PATH,
        required=True,
        description=description,
    )


def paginated(serializer_class):
    """The schema of a page of `serializer_class` rows, as CursorPagination answers it."""
    name = serializer_class.__name__.removesuffix("Serializer")
    return inline_serializer(
        f"{name}Page",
        {
            "next": serializers.URLField(allow_null=True, help_text="The next page (null on the last)."),
            "previous": serializers.URLField(allow_null=True, help_text="The previous page (null on the first)."),
            "results": serializer_class(many=True),
        },
    )


class PerTokenThrottle(throttling.SimpleRateThrottle):
    """API_RATE_PER_MINUTE requests per minute per token (per user for a browser session), counted
    in the default cache: shared through Redis with REDIS_URL, else per worker process."""

    scope = "api"

    def get_rate(self):
        return f"{settings.API_RATE_PER_MINUTE}/min"

    def get_cache_key(self, request, view):
        token = request.auth
        if token is not None and hasattr(token, "pk"):
            ident = f"token:{token.pk}"
        elif request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"address:{self.get_ident(request)}"
        return f"throttle:api:{ident}"


def etag(*parts):
    """A strong ETag (quoted) of the revisions, language and day an answer is made of, and of the
    release (bma_tracker.caching.release: new code, new representation)."""
    digest = hashlib.blake2b(
        ":".join(str(part) for part in (release(), get_language(), *parts)).encode(), digest_size=12
    )
    return f'"{digest.hexdigest()}"'


def not_modified(request, tag):
    """Django's 304 for a request whose If-None-Match names `tag`, else None."""
    return get_conditional_response(request, etag=tag)


def etag_reads(view):
    """Reads answer with an ETag (the view's own, from revisions, or else a hash of the body) and a
    304 to a request that names it in If-None-Match; private, revalidated on every use."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        patch_cache_control(response, private=True, no_cache=True)
        if not response.has_header("ETag"):
            if hasattr(response, "render"):
                response.render()
            set_response_etag(response)
        conditional = get_conditional_response(request, etag=response["ETag"], response=response)
        return conditional

    return wrapped
