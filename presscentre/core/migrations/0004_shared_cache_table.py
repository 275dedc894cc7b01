from django.core.management import call_command
from django.db import migrations

# Without REDIS_URL the default cache is Django's database cache (settings.CACHES), so that the web process,
# the worker and management commands share one page cache and see each other's purges. The table is created
# whatever the cache setting at migrate time, so switching Redis off later needs no extra step.
CACHE_TABLE = "presscentre_cache"


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", CACHE_TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_document_public_flag_and_random_directory"),
    ]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
