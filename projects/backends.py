"""Django's ModelBackend, loading the signed-in user together with their unit in one query.

Every request loads the signed-in user from the database (the navigation bar shows the unit, the
access checks read it): a deactivation, a new role or unit, however it was written, counts on
the very next request."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from projects.models import fetch_with_unit


class UserWithUnitBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user = fetch_with_unit(get_user_model(), "id", int(user_id))
        except (ValueError, TypeError):
            return None
        return user if user is not None and self.user_can_authenticate(user) else None
