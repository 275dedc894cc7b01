"""Let press officers and administrators arrange the media kit's collections (add, change, delete, view).

Groups that do not exist are skipped; running it again changes nothing; reversing takes the permissions away.
"""

from django.db import migrations

from presscentre.core import group_permissions

GROUPS = ("Press officers", "Administrators")
CODENAMES = [
    "add_mediakitcollection",
    "change_mediakitcollection",
    "delete_mediakitcollection",
    "view_mediakitcollection",
]


def grant(apps, schema_editor):
    group_permissions.grant(apps, schema_editor, app_label="mediakit", codenames=CODENAMES, groups=GROUPS)


def revoke(apps, schema_editor):
    group_permissions.revoke(apps, schema_editor, app_label="mediakit", codenames=CODENAMES, groups=GROUPS)


class Migration(migrations.Migration):
    dependencies = [
        ("mediakit", "0001_initial"),
        ("newsroom", "0002_editorial_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
