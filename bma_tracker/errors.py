"""Error pages that must say in Thai what went wrong (handler400 in bma_tracker.urls); under /api/
the same refusals in the API's JSON."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import bad_request as django_bad_request

from bma_tracker.api import API_PREFIX, BAD_REQUEST, RequestTooLarge


@requires_csrf_token
def bad_request(request, exception, template_name="400.html"):
    """A POST over DATA_UPLOAD_MAX_MEMORY_SIZE (or with too many fields) is 413 with a page that
    says so; any other bad request is Django's 400 with our Thai 400.html."""
    if request.path.startswith(API_PREFIX):  # a script reads JSON, as from every API refusal
        too_large = isinstance(exception, (RequestDataTooBig, TooManyFieldsSent))
        detail, code = (RequestTooLarge.default_detail, "too_large") if too_large else (BAD_REQUEST, "bad_request")
        return JsonResponse({"detail": str(detail), "code": code}, status=413 if too_large else 400)
    if isinstance(exception, (RequestDataTooBig, TooManyFieldsSent)):
        body = render_to_string("413.html", request=request)
        return HttpResponse(body, status=413)
    return django_bad_request(request, exception, template_name=template_name)
