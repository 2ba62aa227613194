"""Who is knocking: the client address used by the login lockout (django-axes)."""

from django.conf import settings


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
