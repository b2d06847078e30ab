"""Pages for professionals: postcode → situation → pathway, in at most three page loads."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from kansrijk.coalitions.models import CoalitionScope
from kansrijk.pathways import services
from kansrijk.pathways.models import PathwayScope, StepKind
from tests.pathways.conftest import make_coalition, make_pathway, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def pathways(smallingerland, service):
    veilig_thuis = service.__class__.objects.create(
        organization=service.organization, name="Veilig Thuis Fryslân", status="active"
    )
    own = make_pathway(
        smallingerland,
        title="Geldzorgen in Smallingerland",
        steps=[
            step(StepKind.DISCUSS, "Bespreek de geldzorgen", tips="Vraag: lukt het rondkomen?"),
            step(StepKind.CONSENT, "Vraag toestemming"),
            step(StepKind.REFER, "Verwijs naar de schuldhulp", service),
            step(StepKind.URGENT_SAFETY, "Bij acuut gevaar", veilig_thuis),
        ],
    )
    national = make_coalition("Landelijke standaard", [], scope=CoalitionScope.NATIONAL)
    default = make_pathway(
        national,
        situation="roken",
        scope=PathwayScope.NATIONAL,
        municipalities=[],
        phases=["pregnancy"],
        title="Stoppen met roken (landelijk)",
    )
    return own, default


def _links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def test_postcode_to_pathway_in_three_page_loads(client, pathways):
    # 1. The form.
    response = client.get(reverse("pathways:find"))
    assert response.status_code == 200
    assert 'name="postcode"' in response.text
    # 2. Postcode and phase: the situations in that municipality.
    response = client.get(reverse("pathways:find"), {"postcode": "9203 AB", "phase": "pregnancy"})
    assert response.status_code == 200
    assert "Smallingerland" in response.text
    target = "/zorgpaden/GM0090/geldzorgen/pregnancy/"
    assert target in _links(response.text)
    assert "national default" in response.text  # roken is served by the national default
    # 3. The pathway.
    response = client.get(target)
    assert response.status_code == 200
    assert "Geldzorgen in Smallingerland" in response.text


def test_the_pathway_page_shows_steps_services_and_dates(
    client, pathways, django_assert_max_num_queries
):
    _own, _ = pathways
    with django_assert_max_num_queries(8):
        response = client.get("/zorgpaden/GM0090/geldzorgen/pregnancy/")
    html = response.text
    # Urgent safety first, then in order.
    order = [
        html.index(t)
        for t in (
            "Bij acuut gevaar",
            "Bespreek de geldzorgen",
            "Vraag toestemming",
            "Verwijs naar de schuldhulp",
        )
    ]
    assert order == sorted(order)
    assert "Schuldhulp Smallingerland" in html
    assert "Secure mail" in html
    assert "Via secure_mail." in html
    assert "Vraag: lukt het rondkomen?" in html
    assert "Version 1" in html
    assert "Last reviewed" in html
    assert "default" not in html.split('id="main"')[1].split("kr-pathway-steps")[0].lower()


def test_a_default_is_marked_on_the_pathway_page(client, pathways):
    response = client.get("/zorgpaden/GM0090/roken/pregnancy/")
    assert response.status_code == 200
    assert "National default" in response.text
    assert "Smallingerland has no local or regional pathway" in response.text


def test_no_pathway_and_bad_links(client, pathways):
    response = client.get("/zorgpaden/GM0090/taalbarriere/pregnancy/")
    assert response.status_code == 404
    assert "No pathway yet" in response.text
    assert client.get("/zorgpaden/GM9999/geldzorgen/pregnancy/").status_code == 404
    assert client.get("/zorgpaden/GM0090/geldzorgen/later/").status_code == 404


def test_find_errors_are_shown(client, catalogue):
    response = client.get(reverse("pathways:find"), {"postcode": "ABCD"})
    assert response.status_code == 200
    assert "Enter a postcode" in response.text
    response = client.get(reverse("pathways:find"), {"postcode": "2999"})
    assert "not in our list" in response.text
    response = client.get(reverse("pathways:find"), {"phase": "pregnancy"})
    assert "Enter the family&#x27;s postcode or choose a municipality." in response.text


def test_the_overview_by_municipality_code_and_all_phases(
    client, pathways, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = client.get(reverse("pathways:find"), {"municipality": "GM0090"})
    assert response.status_code == 200
    html = response.text
    assert "/zorgpaden/GM0090/geldzorgen/pregnancy/" in html
    assert "not in this phase" in html  # e.g. huilbaby before pregnancy


def test_versions_stay_readable_and_drafts_are_hidden(
    client, pathways, editor_smallingerland, login_verified
):
    own, _ = pathways
    draft = services.start_draft(user=editor_smallingerland, pathway=own)
    services.save_draft(
        user=editor_smallingerland,
        version=draft,
        title="Nieuw concept",
        introduction="",
        steps=[step(StepKind.DISCUSS, "Nieuw")],
    )
    assert client.get(reverse("pathways:version", args=[own.pk, 1])).status_code == 200
    assert client.get(reverse("pathways:version", args=[own.pk, 2])).status_code == 404
    assert client.get(reverse("pathways:current", args=[own.pk])).url == reverse(
        "pathways:version", args=[own.pk, 1]
    )
    services.publish(user=editor_smallingerland, version=draft)
    response = client.get(reverse("pathways:version", args=[own.pk, 1]))
    assert "This is an earlier version (1)" in response.text
    login_verified(client, editor_smallingerland)
    draft = services.start_draft(user=editor_smallingerland, pathway=own)
    response = client.get(reverse("pathways:version", args=[own.pk, draft.number]))
    assert response.status_code == 200
    assert "Draft (version 3)" in response.text


def test_the_pathway_page_prints_on_a4():
    from django.contrib.staticfiles import finders

    with open(finders.find("kansrijk/print.css"), encoding="utf-8") as handle:
        css = handle.read()
    assert "size: A4" in css
    assert ".kr-pathway-step" in css


def test_the_pathway_page_is_cached_and_follows_changes(
    client, pathways, service, editor_smallingerland, django_assert_max_num_queries
):
    from django.utils import timezone

    from kansrijk.pathways import cache as page_cache

    own, _ = pathways
    url = "/zorgpaden/GM0090/geldzorgen/pregnancy/"
    assert "Geldzorgen in Smallingerland" in client.get(url).text
    with django_assert_max_num_queries(0):
        assert "Geldzorgen in Smallingerland" in client.get(url).text
    # A new version is published: the page shows it.
    draft = services.start_draft(user=editor_smallingerland, pathway=own)
    steps = [services.StepInput.from_step(s) for s in draft.steps.order_by("position")]
    services.save_draft(
        user=editor_smallingerland,
        version=draft,
        title="Geldzorgen, versie 2",
        introduction="",
        steps=steps,
    )
    services.publish(user=editor_smallingerland, version=draft)
    assert "Geldzorgen, versie 2" in client.get(url).text
    # A service changes on the social map (in another process: the token is read again).
    service.__class__.objects.filter(pk=service.pk).update(
        name="Schuldhulp Drachten", last_modified=timezone.now()
    )
    page_cache.forget_token()
    assert "Schuldhulp Drachten" in client.get(url).text


def test_the_pathway_page_in_dutch(dutch_client, pathways):
    response = dutch_client.get("/zorgpaden/GM0090/roken/pregnancy/")
    assert "Landelijke standaard" in response.text
    assert "Gesprekstips" not in response.text or "Bespreek" in response.text


def test_the_whole_page_cache_is_only_for_anonymous_visitors(
    client, pathways, editor_smallingerland, login_verified
):
    from kansrijk.pathways import cache as page_cache

    url = "/zorgpaden/GM0090/geldzorgen/pregnancy/"
    first = client.get(url)
    second = client.get(url)
    for response in (first, second):
        assert page_cache.CSRF_PLACEHOLDER not in response.text
        assert 'name="csrfmiddlewaretoken" value="' in response.text
    # The language switch on a cached page works: its token matches the visitor's cookie.
    token = second.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    csrf_client = Client(enforce_csrf_checks=True, headers={"accept-language": "en"})
    csrf_client.cookies = client.cookies
    response = csrf_client.post(
        "/i18n/setlang/", {"language": "nl", "next": url, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    # A logged-in editor gets their own header, not the anonymous page.
    login_verified(client, editor_smallingerland)
    response = client.get(url)
    assert (
        editor_smallingerland.username in response.text
        or editor_smallingerland.first_name in response.text
    )
    assert "Geldzorgen in Smallingerland" in response.text
