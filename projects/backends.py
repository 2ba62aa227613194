"""Django's ModelBackend, loading the signed-in user together with their unit: every page shows
the unit (navigation bar, My projects) and the access checks read it, so one query per request
instead of two."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UserWithUnitBackend(ModelBackend):
    def get_user(self, user_id):
        User = get_user_model()
        try:
            user = User._default_manager.select_related("unit").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
