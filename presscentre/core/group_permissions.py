"""Granting an app's model permissions to the editorial groups from a data migration.

Inside `migrate` Django creates permissions only after the last migration has run, so a migration that grants
them creates them first. Groups that do not exist (a site that removed one) are skipped; granting again changes
nothing; revoking takes exactly those permissions away.
"""

from django.contrib.auth.management import create_permissions


def _permissions(apps, app_label: str, codenames):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)


def grant(apps, schema_editor, *, app_label: str, codenames, groups) -> None:
    app_config = apps.get_app_config(app_label)
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    try:
        create_permissions(app_config, apps=apps, using=schema_editor.connection.alias, verbosity=0)
    finally:
        app_config.models_module = models_module
    permissions = list(_permissions(apps, app_label, codenames))
    for group in apps.get_model("auth", "Group").objects.filter(name__in=groups):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor, *, app_label: str, codenames, groups) -> None:
    permissions = list(_permissions(apps, app_label, codenames))
    for group in apps.get_model("auth", "Group").objects.filter(name__in=groups):
        group.permissions.remove(*permissions)
