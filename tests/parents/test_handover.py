"""Point 8: from a signalling result, a pathway or a service page, a professional can show,
print or give the matching parent page in the parent's language; the links hold no personal
data."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.test import Client

from kansrijk.parents import languages
from kansrijk.parents.models import PageTranslation
from kansrijk.parents.selectors import pages_for_topics
from tests.directory.factories import ServiceFactory
from tests.pathways.conftest import smallingerland  # noqa: F401  (fixture)
from tests.signalling.conftest import (  # noqa: F401  (fixtures)
    catalogue,
    default_rules,
    local_offer_data,
)

pytestmark = pytest.mark.django_db

#: A parent page address: language and subject, nothing else.
PARENT_LINK = re.compile(r'href="(/ouders/[^"]*)"')
SAFE = re.compile(r"^/ouders/(nl|en|ar|tr|pl|uk|ti)/[a-z-]+/$")


def _links(html: str) -> list[str]:
    return PARENT_LINK.findall(html)


def test_pages_for_topics_most_in_common_first(content: None) -> None:
    found = pages_for_topics(["geldzorgen", "werk-en-inkomen", "stress"])
    assert [page.slug for page in found] == ["geldzorgen", "stress"]
    assert found[0].title == "Zorgen over geld"
    assert found[0].languages == languages.CODES
    assert pages_for_topics([]) == []
    assert pages_for_topics(["bestaat-niet"]) == []


def test_a_page_without_a_language_offers_only_those_it_has(content: None) -> None:
    PageTranslation.objects.filter(page__slug="geldzorgen", language="ti").delete()
    found = pages_for_topics(["geldzorgen"])
    assert "ti" not in found[0].languages


def test_the_tag_renders_a_link_per_language(content: None) -> None:
    html = Template("{% load parents_tags %}{% parent_handover topics phase='pregnancy' %}").render(
        Context({"topics": ["geldzorgen"]})
    )
    links = _links(html)
    assert "/ouders/ar/geldzorgen/" in links
    assert "/ouders/nl/prenataal-huisbezoek/" in links  # from the phase
    assert all(SAFE.match(link) for link in links)
    assert 'lang="ar" hreflang="ar" dir="rtl">العربية</a>' in html
    assert (
        not Template("{% load parents_tags %}{% parent_handover nothing %}")
        .render(Context())
        .strip()
    )


def test_service_page_offers_the_parent_page(client: Client, content: None, places: None) -> None:
    from kansrijk.directory.vocabularies import load_need_categories

    load_need_categories()
    service = ServiceFactory(name="Schuldhulp Smallingerland", categories=["geldzorgen"])
    html = client.get(f"/sociale-kaart/diensten/{service.pk}/").content.decode()
    assert "Informatie voor de ouder" in html
    links = _links(html)
    assert "/ouders/tr/geldzorgen/" in links
    assert all(SAFE.match(link) for link in links)


def test_signalling_result_offers_the_parent_pages(
    client: Client,
    content: None,
    local_offer_data: dict,  # noqa: F811
) -> None:
    response = client.post(
        "/signalering/",
        {"postcode": "9203", "phase": "pregnancy", "factor": ["geldzorgen"]},
        follow=True,
    )
    html = response.content.decode()
    assert "Informatie voor de ouder" in html
    links = _links(html)
    assert "/ouders/pl/geldzorgen/" in links
    assert "/ouders/uk/prenataal-huisbezoek/" in links
    # What was ticked is in no link.
    assert all(SAFE.match(link) for link in links)


def test_pathway_offers_the_parent_pages_to_a_signed_in_professional(
    client: Client,
    content: None,
    login_verified,
    smallingerland,  # noqa: F811
) -> None:
    from kansrijk.pathways.models import StepKind
    from tests.pathways.conftest import make_pathway, step
    from tests.referrals.factories import build_world

    world = build_world()
    make_pathway(
        smallingerland,
        steps=[step(StepKind.REFER, "Verwijs naar de JGZ", service=world.service)],
    )
    url = "/zorgpaden/GM0090/geldzorgen/pregnancy/"
    login_verified(client, world.midwife)
    html = client.get(url).text
    assert "Informatie voor de ouder" in html
    links = _links(html)
    assert "/ouders/ar/geldzorgen/" in links
    assert all(SAFE.match(link) for link in links)
