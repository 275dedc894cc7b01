"""Let press officers and administrators manage media contacts, lists and distributions.

The two groups get add, change, delete and view on the three models; groups that do not exist are skipped.
Running it again changes nothing; reversing takes the permissions away.
"""

from django.db import migrations

from presscentre.core import group_permissions

GROUPS = ("Press officers", "Administrators")
MODELS = ("mediacontact", "medialist", "distribution")
CODENAMES = [f"{action}_{model}" for model in MODELS for action in ("add", "change", "delete", "view")]


def grant(apps, schema_editor):
    group_permissions.grant(apps, schema_editor, app_label="distribution", codenames=CODENAMES, groups=GROUPS)


def revoke(apps, schema_editor):
    group_permissions.revoke(apps, schema_editor, app_label="distribution", codenames=CODENAMES, groups=GROUPS)


class Migration(migrations.Migration):
    dependencies = [
        ("distribution", "0001_initial"),
        ("newsroom", "0002_editorial_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
