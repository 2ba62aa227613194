"""Error pages that must say in Thai what went wrong (handler400 in bma_tracker.urls)."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import bad_request as django_bad_request


@requires_csrf_token
def bad_request(request, exception, template_name="400.html"):
    """A POST over DATA_UPLOAD_MAX_MEMORY_SIZE (or with too many fields) is 413 with a page that
    says so; any other bad request is Django's 400 with our Thai 400.html."""
    if isinstance(exception, (RequestDataTooBig, TooManyFieldsSent)):
        body = render_to_string("413.html", request=request)
        return HttpResponse(body, status=413)
    return django_bad_request(request, exception, template_name=template_name)
