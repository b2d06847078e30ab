"""The point of a service-at-location, copied from its location by triggers.

A postcode search needs the services with a location in a bounding box. Through the location
table that is a range scan plus one probe per location (3,000 in Rotterdam); with the point on
the service-at-location row it is one range scan of an index that holds the service too.

Triggers keep the copy, on PostgreSQL and SQLite alike, whatever writes the rows (the ORM, bulk
inserts, the HSDS import, raw SQL): a new or re-pointed service-at-location takes its location's
point; a location whose point changes passes it on. Django never writes the two columns
(``editable=False`` is not enough for ``save()``, which writes every field, so on PostgreSQL the
insert/update trigger runs *before* the write and overrides whatever came in; on SQLite the
trigger runs after it and sets them again).
"""

from django.db import migrations, models

PG_FORWARD = [
    """CREATE FUNCTION directory_sal_take_point() RETURNS trigger AS $$
    BEGIN
        SELECT latitude, longitude INTO NEW.latitude, NEW.longitude
        FROM directory_location WHERE id = NEW.location_id;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER directory_sal_take_point
    BEFORE INSERT OR UPDATE ON directory_serviceatlocation
    FOR EACH ROW EXECUTE FUNCTION directory_sal_take_point()""",
    """CREATE FUNCTION directory_location_pass_point() RETURNS trigger AS $$
    BEGIN
        UPDATE directory_serviceatlocation
        SET latitude = NEW.latitude, longitude = NEW.longitude
        WHERE location_id = NEW.id;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER directory_location_pass_point
    AFTER UPDATE OF latitude, longitude ON directory_location
    FOR EACH ROW
    WHEN (OLD.latitude IS DISTINCT FROM NEW.latitude OR OLD.longitude IS DISTINCT FROM NEW.longitude)
    EXECUTE FUNCTION directory_location_pass_point()""",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS directory_location_pass_point ON directory_location",
    "DROP FUNCTION IF EXISTS directory_location_pass_point()",
    "DROP TRIGGER IF EXISTS directory_sal_take_point ON directory_serviceatlocation",
    "DROP FUNCTION IF EXISTS directory_sal_take_point()",
]
_SQLITE_TAKE = """UPDATE directory_serviceatlocation
    SET latitude = (SELECT latitude FROM directory_location WHERE id = NEW.location_id),
        longitude = (SELECT longitude FROM directory_location WHERE id = NEW.location_id)
    WHERE id = NEW.id;"""
SQLITE_FORWARD = [
    f"""CREATE TRIGGER directory_sal_take_point_insert
    AFTER INSERT ON directory_serviceatlocation
    BEGIN {_SQLITE_TAKE} END""",
    f"""CREATE TRIGGER directory_sal_take_point_update
    AFTER UPDATE ON directory_serviceatlocation
    BEGIN {_SQLITE_TAKE} END""",
    """CREATE TRIGGER directory_location_pass_point
    AFTER UPDATE OF latitude, longitude ON directory_location
    BEGIN
        UPDATE directory_serviceatlocation
        SET latitude = NEW.latitude, longitude = NEW.longitude
        WHERE location_id = NEW.id;
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS directory_location_pass_point",
    "DROP TRIGGER IF EXISTS directory_sal_take_point_update",
    "DROP TRIGGER IF EXISTS directory_sal_take_point_insert",
]
FILL = """UPDATE directory_serviceatlocation
    SET latitude = (SELECT latitude FROM directory_location l WHERE l.id = location_id),
        longitude = (SELECT longitude FROM directory_location l WHERE l.id = location_id)"""


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}.get(vendor)
    if statements is None:
        raise NotImplementedError(f"No point triggers for {vendor}")
    for statement in statements:
        schema_editor.execute(statement)
    schema_editor.execute(FILL)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}.get(vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("directory", "0003_search_vector")]

    operations = [
        migrations.AddField(
            model_name="serviceatlocation",
            name="latitude",
            field=models.FloatField(editable=False, null=True, verbose_name="latitude"),
        ),
        migrations.AddField(
            model_name="serviceatlocation",
            name="longitude",
            field=models.FloatField(editable=False, null=True, verbose_name="longitude"),
        ),
        migrations.RunPython(forward, backward, elidable=False),
        migrations.AddIndex(
            model_name="serviceatlocation",
            index=models.Index(
                fields=["latitude", "longitude", "service"], name="directory_sal_point"
            ),
        ),
    ]
