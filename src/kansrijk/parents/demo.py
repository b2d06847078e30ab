"""Demo content of the parent pages: the national pages and cost items (the real content
files), and local additions for the demo municipalities, marked as demo. No cost figures: the
demo shows what the page says when no official amount is held."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kansrijk.parents.content import load_content
from kansrijk.parents.models import LocalAddition, Page

#: (page, municipality, title, text, phone)
LOCAL_ADDITIONS = [
    (
        "prenataal-huisbezoek",
        "GM0090",
        "Mamacafé in Drachten",
        "Elke dinsdagochtend drinken zwangere vrouwen en moeders samen koffie. Je kunt vragen "
        "stellen aan een verpleegkundige van de JGZ. Je hoeft je niet aan te melden.",
        "",
    ),
    (
        "geldzorgen",
        "GM0090",
        "Sociaal team Smallingerland",
        "Heb je vragen over geld, toeslagen of schulden? Loop binnen bij het sociaal team of "
        "bel. De hulp is gratis.",
        "0512 581 234",
    ),
]


@transaction.atomic
def load() -> dict[str, Any]:
    report = load_content()
    pages = {page.slug: page for page in Page.objects.all()}
    made = 0
    for slug, code, title, body, phone in LOCAL_ADDITIONS:
        _addition, created = LocalAddition.objects.get_or_create(
            page=pages[slug],
            municipality_id=code,
            title=title,
            defaults={"body": body, "phone": phone, "is_demo": True},
        )
        made += created
    return {"pages": report.pages, "translations": report.translations, "local_additions": made}
