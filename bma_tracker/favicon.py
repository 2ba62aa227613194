"""/favicon.ico: browsers ask for it on every page that names no icon (the print pages, PDFs
opened in the browser, the admin); the pages themselves link static/img/favicon.svg."""

from django.conf import settings
from django.http import FileResponse
from django.views.decorators.http import require_safe

FAVICON = settings.BASE_DIR / "static" / "img" / "favicon.ico"


@require_safe
def favicon(request):
    response = FileResponse(FAVICON.open("rb"), content_type="image/vnd.microsoft.icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
