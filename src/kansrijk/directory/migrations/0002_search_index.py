"""PostgreSQL only: a GIN index for Dutch full-text search on services.

The expression is exactly what ``SearchVector("search_text", config="dutch")`` compiles to, so the
planner uses it for ``kansrijk.directory.search.filter_text``. On SQLite nothing happens: search
there works on the ``search_stems`` column (see ``kansrijk/directory/search.py``).
"""

from django.db import migrations

INDEX_NAME = "directory_service_search_gin"

CREATE = (
    f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON directory_service "
    "USING gin (to_tsvector('dutch'::regconfig, COALESCE(search_text, '')))"
)
DROP = f"DROP INDEX IF EXISTS {INDEX_NAME}"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
