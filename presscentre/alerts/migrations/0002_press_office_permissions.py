"""Let press officers and administrators see subscribers and erase them, and set the digest times and texts.

Nobody adds or edits a subscriber by hand (consent comes from the subscriber), so only view and delete (erase) on
subscribers; change on the alert settings. Groups that do not exist are skipped; running it again changes nothing;
reversing takes the permissions away.
"""

from django.db import migrations

from presscentre.core import group_permissions

GROUPS = ("Press officers", "Administrators")
CODENAMES = ["view_subscription", "delete_subscription", "change_alertsettings"]


def grant(apps, schema_editor):
    group_permissions.grant(apps, schema_editor, app_label="alerts", codenames=CODENAMES, groups=GROUPS)


def revoke(apps, schema_editor):
    group_permissions.revoke(apps, schema_editor, app_label="alerts", codenames=CODENAMES, groups=GROUPS)


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0001_initial"),
        ("newsroom", "0002_editorial_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
