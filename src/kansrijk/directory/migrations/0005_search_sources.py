"""``Service.search_sources``: the stems of a service's name, categories, organisation and places,
tagged by where they come from, for ordering search results by relevance and saying why each
matched (``kansrijk.directory.search.text``). Filled for the services there are."""

from typing import Any

from django.db import migrations, models


def fill(apps: Any, schema_editor: Any) -> None:
    from kansrijk.directory.search.text import refresh_search_text

    service = apps.get_model("directory", "Service")
    ids = list(service.objects.using(schema_editor.connection.alias).values_list("id", flat=True))
    refresh_search_text(ids, registry=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0004_sal_point"),
    ]

    operations = [
        migrations.AddField(
            model_name="service",
            name="search_sources",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="search sources"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
