"""Who is knocking, and how often it may fail: the client address and the login lockout
(django-axes)."""

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import BadRequest
from django.db.models import Sum
from django.utils.cache import patch_cache_control


def client_ip(request):
    """The client's address. Behind TRUSTED_PROXY_COUNT reverse proxies it is the entry that
    many places from the right of X-Forwarded-For (each proxy appends the address it saw, so
    entries further left are whatever the client chose to send); otherwise REMOTE_ADDR."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")


# --- The login lockout (django-axes, settings AXES_*) ---------------------------------------
# Failures are kept per (login name, address). An account is locked after AXES_FAILURE_LIMIT
# failures from anywhere, an address after AXES_ADDRESS_FAILURE_LIMIT failures for any accounts
# (higher: a district office of fifty people shares one address). A successful login clears
# only that account's failures from that address: axes' own reset (AXES_RESET_ON_SUCCESS)
# deletes every record of the address, which let anyone with an account guess a colleague's
# password without end (4 guesses, one login of one's own, repeat).

# The longest login name kept: Django's usernames are at most 150 characters.
LOGIN_NAME_MAX = 150
_CONTROL_CHARACTERS = dict.fromkeys(range(32)) | {127: None}


def login_name(request, credentials=None):
    """The login name a failure is counted under: as typed, without control characters (a NUL
    cannot be stored), cut to LOGIN_NAME_MAX characters, so that any name counts like another."""
    name = (credentials or {}).get("username")
    if name is None and request is not None:
        name = request.POST.get("username", "")
    return str(name or "").translate(_CONTROL_CHARACTERS)[:LOGIN_NAME_MAX]


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with the two limits and the narrow reset described above."""

    def get_failures(self, request, credentials=None):
        # axes compares one number with AXES_FAILURE_LIMIT: the account's failures, or the
        # address's scaled so that AXES_ADDRESS_FAILURE_LIMIT of them reach that limit.
        by_account, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        account_limit, address_limit = settings.AXES_FAILURE_LIMIT, settings.AXES_ADDRESS_FAILURE_LIMIT
        return max(by_account, by_address * account_limit // address_limit)

    def user_logged_in(self, sender, request, user, **kwargs):
        super().user_logged_in(sender, request, user, **kwargs)
        AccessAttempt.objects.filter(
            username=login_name(None, {"username": user.get_username()}), ip_address=request.axes_ip_address
        ).delete()


class RefuseNulMiddleware:
    """A NUL byte in the path or the query string is a 400 (Thai 400.html) before any view sees
    it: no URL or filter here may hold one, PostgreSQL cannot store or even compare one, and a
    view that reads request.GET directly would otherwise answer 500. (Path converters keep NUL
    out of URL parameters too: converters.py.) Posted forms are left to their fields, which
    refuse a NUL with a message next to what the user typed (tests/test_hostile_input.py posts
    NUL to every form)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _holds_nul(request.GET):
            raise BadRequest("NUL byte in the request")
        return self.get_response(request)


def _holds_nul(query_dict):
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query_dict.lists())


class PrivateResponsesMiddleware:
    """Cache-Control: private, no-store on every answer to a signed-in user: pages, PDFs, Excel
    and CSV exports, generated books. They hold what that user may read: no proxy may keep one
    for someone else, and no browser may keep one on disk for the next person at a shared
    counter computer. Answers to anonymous requests (the login page, /healthz; static files,
    which whitenoise answers before this runs) are left as their views made them, and so are
    answers a view declared public (the public site, /public/: the same for every reader, read
    without the session)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "public" not in response.get("Cache-Control", "") and _signed_in(request):
            patch_cache_control(response, private=True, no_store=True)
        return response


def _signed_in(request):
    session = getattr(request, "session", None)
    if session is None or not (session.session_key or session.modified):
        # No session: anonymous. Reading the user would cost nothing here, but would mark the
        # session read and add "Vary: Cookie" to answers that vary on nothing.
        return False
    return request.user.is_authenticated
