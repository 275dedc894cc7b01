"""Let press officers and administrators read interview requests and mark them handled.

Nobody adds a request by hand (they come from journalists), so view, change (mark handled) and delete. Groups that
do not exist are skipped; running it again changes nothing; reversing takes the permissions away.
"""

from django.db import migrations

from presscentre.core import group_permissions

GROUPS = ("Press officers", "Administrators")
CODENAMES = ["view_interviewrequest", "change_interviewrequest", "delete_interviewrequest"]


def grant(apps, schema_editor):
    group_permissions.grant(apps, schema_editor, app_label="experts", codenames=CODENAMES, groups=GROUPS)


def revoke(apps, schema_editor):
    group_permissions.revoke(apps, schema_editor, app_label="experts", codenames=CODENAMES, groups=GROUPS)


class Migration(migrations.Migration):
    dependencies = [
        ("experts", "0001_initial"),
        ("newsroom", "0002_editorial_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
