"""Keep only a hash of each journalist token (and its first characters), so existing links keep working."""

import hashlib

from django.db import migrations, models

PREFIX_LENGTH = 6


def hash_token_row(row: dict) -> None:
    """Fill `token_hash` and `token_prefix` of one row (a dict or a model instance's __dict__) from its token."""
    row["token_hash"] = hashlib.sha256(row["token"].encode()).hexdigest()
    row["token_prefix"] = row["token"][:PREFIX_LENGTH]


def hash_existing_tokens(apps, schema_editor):
    access_link = apps.get_model("embargo", "AccessLink")
    for link in access_link.objects.all().iterator():
        hash_token_row(link.__dict__)
        link.save(update_fields=["token_hash", "token_prefix"])


def keep_hashes_as_tokens(apps, schema_editor):
    """Going back cannot recover a token from its hash: each link gets its hash as a token (unique, but no
    journalist holds it), so the old links stop working and must be made again."""
    access_link = apps.get_model("embargo", "AccessLink")
    for link in access_link.objects.all().iterator():
        link.token = link.token_hash
        link.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [("embargo", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="accesslink",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="accesslink",
            name="token_prefix",
            field=models.CharField(
                default="",
                editable=False,
                help_text="Tells links apart.",
                max_length=PREFIX_LENGTH,
                verbose_name="token starts with",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="accesslink",
            name="token",
            field=models.CharField(default="", editable=False, max_length=64),
        ),
        migrations.RunPython(hash_existing_tokens, keep_hashes_as_tokens),
        migrations.RemoveField(model_name="accesslink", name="token"),
        migrations.AlterField(
            model_name="accesslink",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
    ]
