"""A stored ``search_vector`` for Dutch full-text search (PostgreSQL); an index on
``Location.last_modified``.

Migration 0002 indexed the expression ``to_tsvector('dutch', search_text)``. The index finds the
matching services quickly, but whenever PostgreSQL checks a row against a query by another route
(a ranked postcode search probes the candidates one by one) it stems the whole text again,
0.1–0.5 ms per row. Now the vector is stored: a trigger (PostgreSQL's own
``tsvector_update_trigger``) sets it from ``search_text`` on every insert and update, whatever
writes the row, and the GIN index is on the column. On SQLite the column stays NULL: search there
works on ``search_stems``.
"""

import django.utils.timezone
from django.contrib.postgres.search import SearchVectorField
from django.db import migrations, models

INDEX_NAME = "directory_service_search_gin"
TRIGGER = "directory_service_search_vector"

FORWARD = [
    f"""CREATE TRIGGER {TRIGGER} BEFORE INSERT OR UPDATE ON directory_service
    FOR EACH ROW EXECUTE FUNCTION
    tsvector_update_trigger(search_vector, 'pg_catalog.dutch', search_text)""",
    "UPDATE directory_service SET search_vector = "
    "to_tsvector('pg_catalog.dutch'::regconfig, COALESCE(search_text, ''))",
    f"DROP INDEX IF EXISTS {INDEX_NAME}",
    f"CREATE INDEX {INDEX_NAME} ON directory_service USING gin (search_vector)",
]
BACKWARD = [
    f"DROP INDEX IF EXISTS {INDEX_NAME}",
    f"CREATE INDEX {INDEX_NAME} ON directory_service "
    "USING gin (to_tsvector('dutch'::regconfig, COALESCE(search_text, '')))",
    f"DROP TRIGGER IF EXISTS {TRIGGER} ON directory_service",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_search_index")]

    operations = [
        migrations.AddField(
            model_name="service",
            name="search_vector",
            field=SearchVectorField(editable=False, null=True, verbose_name="search vector"),
        ),
        migrations.RunPython(forward, backward, elidable=False),
        # For the search page's cache token (kansrijk.directory.cache).
        migrations.AlterField(
            model_name="location",
            name="last_modified",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, verbose_name="last modified"
            ),
        ),
    ]
