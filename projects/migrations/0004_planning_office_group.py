"""The planning office (สยป.) manages units and the 20-year plan in the Django admin: a group
with exactly those model permissions; existing planner accounts join it and get admin access.

User accounts stay with admins: Django's UserAdmin lets anyone with "change user" edit the
superuser flag, so planners only view users."""

from django.db import migrations

GROUP = "planning office"
PERMISSIONS = [
    ("projects", "orgunit", ("add", "change", "view")),
    ("projects", "planedition", ("add", "change", "view")),
    ("projects", "plannode", ("add", "change", "view")),
    ("projects", "user", ("view",)),
    ("projects", "project", ("view",)),
    ("projects", "auditentry", ("view",)),
    ("indicators", "indicator", ("view",)),
]


def create_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are made after all migrations ran; make them now so the group can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    User = apps.get_model("projects", "User")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, model, actions in PERMISSIONS:
        codenames = [f"{action}_{model}" for action in actions]
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )
    for user in User.objects.filter(role="planner"):
        user.groups.add(group)
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0003_audit_entry_and_submission_key"),
        ("indicators", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
