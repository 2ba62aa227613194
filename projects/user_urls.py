"""/accounts/users/…: the planning office's user management (views/users.py)."""

from django.urls import path

from projects.views import users

app_name = "users"
urlpatterns = [
    path("", users.user_list, name="list"),
    path("new/", users.user_new, name="new"),
    path("<id:pk>/", users.user_edit, name="edit"),
    path("<id:pk>/active/", users.user_set_active, name="set_active"),
    path("<id:pk>/invite/", users.user_invite, name="invite"),
]
