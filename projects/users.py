"""User accounts as the planning office manages them (issue 21): create, change, deactivate and
reactivate, and mail a link to set a password. Each change is one transaction with its audit
entry (model "projects.user"), like every other writer of the audit trail.

Who may do what is in projects/access.py (can_manage_users, roles_assignable_by,
user_for_management): the planning office manages every account except administrators'; only
administrators make or change administrators. Nobody deactivates themselves."""

from django.db import transaction

from projects.audit import audit_log, diff, snapshot
from projects.models import AuditEntry, User

USER_FIELDS = ("username", "first_name", "last_name", "email", "unit", "role", "is_active")
Action = AuditEntry.Action
MODEL_LABEL = "projects.user"
INVITE_NOTE = "ส่งลิงก์ตั้งรหัสผ่านทางอีเมล"  # stored as data, like a note typed in a form


@transaction.atomic
def user_create(*, by, values, note=""):
    """A new account without a password: its owner sets one from the mailed link (user_invite)."""
    user = User(**values)
    user.set_unusable_password()
    user.save()
    audit_log(user=by, action=Action.CREATE, obj=user, changes=diff({}, snapshot(user, USER_FIELDS)), note=note)
    return user


@transaction.atomic
def user_update(*, by, user, values, note=""):
    """Change an account's names, address, unit, role or whether it may sign in. What it was is
    read from the database (locked): a bound ModelForm has already set the new values on `user`."""
    stored = User.objects.select_for_update(of=("self",)).select_related("unit").get(pk=user.pk)
    before = snapshot(stored, USER_FIELDS)
    for name, value in values.items():
        setattr(user, name, value)
    changes = diff(before, snapshot(user, USER_FIELDS))
    if not changes:
        return user, False
    user.save(update_fields=list(values))
    action = Action.UPDATE
    if "is_active" in changes:
        action = Action.RESTORE if user.is_active else Action.DELETE
    audit_log(user=by, action=action, obj=user, changes=changes, note=note)
    return user, True


@transaction.atomic
def user_invited(*, by, user):
    """Record that a link to set the password was mailed to the account's owner (the view
    sends it: Django's password-reset token, which stops working once the password is set)."""
    audit_log(user=by, action=Action.UPDATE, obj=user, note=INVITE_NOTE)


def history(user):
    """The account's audit entries, newest first."""
    return AuditEntry.objects.about(MODEL_LABEL, [user.pk]).select_related("user").newest_first()
