"""Django's ModelBackend, loading the signed-in user together with their unit, from the page cache
when there is one.

Every request loads the signed-in user (the navigation bar shows the unit, the access checks
read it). With a shared cache (settings.PAGE_CACHE_SECONDS) the user comes from there, in the one
round trip that also checks the user's token (projects.caching.user_token, moved on by every save
or delete of the user, like a deactivation or a new password) and the reference token (a renamed
unit): no query at all. The cached copy never holds the password hash: it is deferred (reading
user.password loads it from the database; saving the copy saves only the other fields) and the
session hash Django checks on every request is computed once, from the full row, and kept."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from bma_tracker import cache_versions
from projects.caching import REFERENCE, user_token


class UserWithUnitBackend(ModelBackend):
    def get_user(self, user_id):
        if not settings.PAGE_CACHE_SECONDS:
            return self._load(user_id)
        return cache_versions.cached(
            f"auth-user:{user_id}",
            [user_token(user_id), REFERENCE],
            lambda: self._cacheable(self._load(user_id)),
            settings.PAGE_CACHE_SECONDS,
        )

    def _load(self, user_id):
        User = get_user_model()
        try:
            user = User._default_manager.select_related("unit").get(pk=user_id)
        except (User.DoesNotExist, ValueError, TypeError):
            return None
        return user if self.user_can_authenticate(user) else None

    @staticmethod
    def _cacheable(user):
        if user is not None:
            user.remember_session_auth_hash()
            del user.__dict__["password"]  # deferred from now on
        return user
