"""Let press officers and administrators manage media contacts, lists and distributions.

The two groups get add, change, delete and view on the three models; groups that do not exist are skipped.
Running it again changes nothing; reversing takes the permissions away.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ("Press officers", "Administrators")
MODELS = ("mediacontact", "medialist", "distribution")
CODENAMES = [f"{action}_{model}" for model in MODELS for action in ("add", "change", "delete", "view")]


def distribution_permissions(apps, using):
    # Inside `migrate` Django creates permissions only after the last migration, so create them here first.
    app_config = apps.get_app_config("distribution")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    try:
        create_permissions(app_config, apps=apps, using=using, verbosity=0)
    finally:
        app_config.models_module = models_module
    Permission = apps.get_model("auth", "Permission")
    return list(Permission.objects.filter(content_type__app_label="distribution", codename__in=CODENAMES))


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    permissions = distribution_permissions(apps, schema_editor.connection.alias)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="distribution", codename__in=CODENAMES)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("distribution", "0001_initial"),
        ("newsroom", "0002_editorial_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
