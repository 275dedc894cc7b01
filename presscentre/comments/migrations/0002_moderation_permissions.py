"""Let moderators, press officers and administrators moderate comments.

Each of the three groups gets the Comment model's add, change, delete and view permissions; groups that do
not exist (a site that removed one) are skipped. Running it again changes nothing; reversing takes the four
permissions away from the three groups.
"""

from django.db import migrations

from presscentre.core import group_permissions

GROUPS = ("Moderators", "Press officers", "Administrators")
CODENAMES = ("add_comment", "change_comment", "delete_comment", "view_comment")


def grant(apps, schema_editor):
    group_permissions.grant(apps, schema_editor, app_label="comments", codenames=CODENAMES, groups=GROUPS)


def revoke(apps, schema_editor):
    group_permissions.revoke(apps, schema_editor, app_label="comments", codenames=CODENAMES, groups=GROUPS)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("newsroom", "0002_editorial_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
