"""Personal API tokens: how a token string is made and read, and the REST framework's
authentication by `Authorization: Bearer <token>`.

A token reads "bma_<prefix>_<secret>": the prefix finds its row (a unique, indexed column), the
secret's SHA-256 is compared in constant time, and only then is the token's state looked at —
revoked, expired, its user deactivated — so that nothing is told about a token one does not
hold. The user comes from the database with the token, on every request: a role or unit changed
by an administrator applies to the next request."""

import hmac
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from projects.models import ApiToken

# last_used_at is written at most this often per token: a script polling every second costs
# one UPDATE a minute, not one per request.
LAST_USED_STEP = timedelta(minutes=1)


def split_token(text):
    """(prefix, secret) of a token string, or None when it cannot be one."""
    head = f"{ApiToken.SCHEME}_"
    n = ApiToken.PREFIX_LENGTH
    if not text.startswith(head) or len(text) > 200:
        return None
    prefix, sep, secret = (
        text[len(head) : len(head) + n],
        text[len(head) + n : len(head) + n + 1],
        text[len(head) + n + 1 :],
    )
    if sep != "_" or len(prefix) != n or not secret:
        return None
    return prefix, secret


INVALID = _("โทเค็น API ไม่ถูกต้อง")


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer bma_…`: the token's user, read from the database with the token."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(INVALID)
        try:
            text = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(INVALID) from None
        parts = split_token(text)
        if parts is None:
            raise exceptions.AuthenticationFailed(INVALID)
        prefix, secret = parts
        token = ApiToken.objects.select_related("user__unit").filter(prefix=prefix).first()
        # Compare with a hash even when no row matched, so that the time taken tells nothing.
        stored = token.secret_hash if token else "0" * 64
        if not hmac.compare_digest(stored, ApiToken.hash_secret(secret)) or token is None:
            raise exceptions.AuthenticationFailed(INVALID)
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("โทเค็น API นี้ถูกเพิกถอนแล้ว"))
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("โทเค็น API นี้หมดอายุแล้ว กรุณาสร้างโทเค็นใหม่"))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("บัญชีผู้ใช้ของโทเค็นนี้ถูกระงับ"))
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_STEP:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The token as the OpenAPI schema states it (registered by being defined)."""

    target_class = BearerTokenAuthentication
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal token made on /accounts/tokens/: Authorization: Bearer bma_…",
        }
