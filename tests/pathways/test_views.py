"""Pages for professionals: postcode → situation → pathway, in at most three page loads."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from kansrijk.coalitions.models import CoalitionScope
from kansrijk.core import freshness
from kansrijk.pathways import services
from kansrijk.pathways.models import PathwayScope, StepKind
from kansrijk.pathways.selectors import phase_label
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
    freshness.bump("directory")
    assert "Schuldhulp Drachten" in client.get(url).text


def test_an_edit_elsewhere_on_the_social_map_leaves_the_page_cached(client, pathways, service):
    """The cached page is keyed by its version and what its steps show of the services they
    name, not by the social map's token: a change to another service serves the cached page;
    a change to a service it names renders the body again."""
    from django.utils import timezone

    from kansrijk.pathways.views import _parts
    from tests.directory.factories import ServiceFactory

    url = "/zorgpaden/GM0090/geldzorgen/pregnancy/"
    first = client.get(url)
    assert "pathways/_pathway_body.html" in [t.name for t in first.templates]
    ServiceFactory(name="Elders in het land", municipalities=["GM0014"])  # bumps "directory"
    _parts.forget()  # a body built again would render its parts again
    again = client.get(url)
    assert again.templates == []  # the whole page, from the cache
    assert again.text == first.text
    service.__class__.objects.filter(pk=service.pk).update(
        name="Schuldhulp Drachten", last_modified=timezone.now()
    )
    freshness.bump("directory")
    _parts.forget()
    changed = client.get(url)
    assert "pathways/_pathway_body.html" in [t.name for t in changed.templates]
    assert "Schuldhulp Drachten" in changed.text


def test_the_pathway_page_in_dutch(dutch_client, pathways):
    response = dutch_client.get("/zorgpaden/GM0090/roken/pregnancy/")
    assert "Landelijke standaard" in response.text
    assert "Gesprekstips" not in response.text or "Bespreek" in response.text


def test_the_whole_page_cache_is_only_for_anonymous_visitors(
    client, pathways, editor_smallingerland, login_verified
):
    url = "/zorgpaden/GM0090/geldzorgen/pregnancy/"
    first = client.get(url)
    second = client.get(url)
    for response in (first, second):
        # Nothing of the visitor in the page: no CSRF token, no cookie set.
        assert "csrfmiddlewaretoken" not in response.text
        assert "Set-Cookie" not in response.headers
    assert first.text == second.text
    # The cached page's language link returns to the page, in Dutch (this client asks English).
    assert '<html lang="en"' in second.text
    link = f"/i18n/taal/nl/?next={quote(url, safe='/')}"
    assert f'href="{link}"' in second.text
    response = client.get(link)
    assert response.status_code == 302
    assert response.url == url
    assert '<html lang="nl"' in client.get(url).text
    # A logged-in editor gets their own header, not the anonymous page.
    login_verified(client, editor_smallingerland)
    response = client.get(url)
    assert (
        editor_smallingerland.username in response.text
        or editor_smallingerland.first_name in response.text
    )
    assert "Geldzorgen in Smallingerland" in response.text


def test_the_uncached_pathway_page_needs_few_queries(
    client, pathways, django_assert_max_num_queries
):
    """Which pathway applies is kept per municipality in the process (two queries for all its
    situations and phases, and one for the national defaults of all municipalities); a
    version's introduction, steps and footer are rendered once for every page that shows them
    (two queries); the page token is one query every few seconds."""
    from kansrijk.places.models import Municipality

    with django_assert_max_num_queries(6):
        assert client.get("/zorgpaden/GM0090/geldzorgen/pregnancy/").status_code == 200
    # Another page in the same municipality: only its version's steps and referral methods.
    with django_assert_max_num_queries(2):
        assert client.get("/zorgpaden/GM0090/roken/pregnancy/").status_code == 200
    # The same national default in another municipality: that municipality's table only.
    name = Municipality.objects.get(code="GM0086").name
    with django_assert_max_num_queries(2):
        response = client.get("/zorgpaden/GM0086/roken/pregnancy/")
    assert f"{name} has no local or regional pathway" in response.text
    assert "Stoppen met roken (landelijk)" in response.text
    # A page seen before: none.
    with django_assert_max_num_queries(0):
        assert client.get("/zorgpaden/GM0086/roken/pregnancy/").status_code == 200


def test_the_pathway_page_follows_a_new_scope_and_a_deletion(
    client, pathways, smallingerland, editor_smallingerland
):
    """The per-municipality tables follow re-scoping at once in this process, and changes made
    elsewhere (here: a deletion behind the app's back) once the token is read again."""
    from kansrijk.pathways.models import Pathway
    from kansrijk.places.models import Municipality

    own, _default = pathways
    url = "/zorgpaden/GM0090/geldzorgen/pregnancy/"
    assert "Geldzorgen in Smallingerland" in client.get(url).text
    services.update_pathway(
        user=editor_smallingerland,
        pathway=own,
        scope=own.scope,
        municipalities=list(Municipality.objects.filter(code="GM0086")),
        phases=own.phases,
        owner=own.owner,
    )
    response = client.get(url)
    assert response.status_code == 404
    assert "No pathway yet" in response.text
    assert (
        "Geldzorgen in Smallingerland" in client.get("/zorgpaden/GM0086/geldzorgen/pregnancy/").text
    )
    # Deleted in another process: shows once this process reads the token again.
    Pathway.objects.filter(pk=own.pk).update(current_version=None)
    Pathway.objects.filter(pk=own.pk).delete()
    freshness.bump("pathways")
    assert client.get("/zorgpaden/GM0086/geldzorgen/pregnancy/").status_code == 404


def test_the_steps_are_shared_but_the_heading_is_per_page(client, smallingerland):
    """A pathway for two municipalities and two phases: one rendering of its steps, four pages
    with their own municipality and phase."""
    make_pathway(
        smallingerland,
        municipalities=["GM0090", "GM0086"],
        phases=["pregnancy", "postnatal"],
        title="Geldzorgen samen",
        steps=[step(StepKind.DISCUSS, "Bespreek het samen")],
    )
    from kansrijk.places.models import Municipality

    names = dict(
        Municipality.objects.filter(code__in=["GM0090", "GM0086"]).values_list("code", "name")
    )
    for code in ("GM0090", "GM0086"):
        for phase, label in (("pregnancy", "Pregnancy"), ("postnatal", "After birth")):
            html = client.get(f"/zorgpaden/{code}/geldzorgen/{phase}/").text
            assert "Bespreek het samen" in html
            assert f"Municipality: {names[code]}" in html
            assert f"Phase: {label}" in html
            assert f"municipality={code}&amp;phase={phase}" in html
            assert "Geldzorgen samen" in html


def test_the_cached_shell_gives_the_page_the_template_gives(rf, catalogue):
    """An anonymous visitor's page is put together from a cached shell; it is exactly what
    rendering ``pathway.html`` gives, escaping included."""
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    from kansrijk.pathways.views import _anonymous_page

    for path in (
        "/zorgpaden/GM0090/geldzorgen/pregnancy/",
        '/zorgpaden/GM0090/geldzorgen/pregnancy/?x=<b>&y="2"',
    ):
        request = rf.get(path)
        request.user = AnonymousUser()
        title = 'Geld & "zorgen" <b>'
        content = "<p>De inhoud</p>"
        expected = render_to_string(
            "pathways/pathway.html",
            {
                "page_title": title,
                "content": mark_safe(content),  # noqa: S308 - a constant
            },
            request,
        )
        assert _anonymous_page(request, title, content) == expected  # the shell is rendered
        assert _anonymous_page(request, title, content) == expected  # the shell is cached
        assert "&lt;b&gt;" in expected


def test_step_views_have_each_referral_method_once(smallingerland, places):
    """One query gives the steps with their services and referral methods (a row per method);
    a service in two steps has its methods once in each, in order."""
    from kansrijk.pathways.steps import step_views
    from tests.directory.factories import ServiceFactory

    shared = ServiceFactory(municipalities=["GM0090"], referral_methods=["phone", "secure_mail"])
    plain = ServiceFactory(municipalities=["GM0090"], referral_methods=[])
    pathway = make_pathway(
        smallingerland,
        steps=[
            step(StepKind.REFER, "Verwijs", shared),
            step(StepKind.DISCUSS, "Bespreek"),
            step(StepKind.HANDOVER, "Draag over", shared),
            step(StepKind.URGENT_SAFETY, "Bij gevaar", plain),
        ],
    )
    views = step_views(pathway.current_version_id)
    assert [v.title for v in views] == ["Bij gevaar", "Verwijs", "Bespreek", "Draag over"]
    expected = sorted(m.method for m in shared.referral_methods.all())
    assert len(expected) == 2
    for view in (views[1], views[3]):
        assert view.service is not None
        assert view.service.pk == shared.pk
        assert [m.method for m in view.service.referral_methods.all()] == expected
    assert views[0].service is not None
    assert list(views[0].service.referral_methods.all()) == []
    assert views[2].service is None


class _Coalition:
    def __init__(self, name: str, demo: bool) -> None:
        self.name = name
        self.demo = demo

    def __str__(self) -> str:
        return f"{self.name} (demo)" if self.demo else self.name


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("fallback", [None, "regional", "national"])
def test_the_heading_from_kept_values_is_what_models_give(language, fallback):
    """The pathway page fills the plain values kept per process (``PathwayChoice``) into
    ``_pathway_head.html`` rendered once with slots; that gives what the template gives with
    the models' names, for the first heading (rendered) and the next ones (filled in), values
    that need escaping included."""
    from types import SimpleNamespace

    from django.template.loader import render_to_string
    from django.utils import translation

    from kansrijk.pathways.resolution import MunicipalityPathways, PathwayChoice
    from kansrijk.pathways.views import _resolved_head
    from kansrijk.places.models import Municipality

    pages = [
        (
            "Geld & <zorgen>",
            "Geldzorgen",
            'Coalitie "Friesland"',
            True,
            "GM0090",
            "Smallingerland & Co",
        ),
        ("Roken", "Roken's <b>", "Kansrijk & Fryslân", False, "GM0086", "Opsterland"),
        (
            "Geld & <zorgen>",
            "Geldzorgen",
            'Coalitie "Friesland"',
            False,
            "GM0090",
            "Smallingerland",
        ),
    ]
    for phase, label in (("pregnancy", ("Pregnancy", "Zwangerschap")), ("postnatal", None)):
        for title, situation, coalition, demo, code, name in pages:
            choice = PathwayChoice(
                1,
                2,
                fallback,
                title,
                situation_name=situation,
                coalition_name=coalition,
                coalition_is_demo=demo,
            )
            table = MunicipalityPathways(code=code, name=name, choices={})
            with translation.override(language):
                expected = render_to_string(
                    "pathways/_pathway_head.html",
                    {
                        "version": SimpleNamespace(title=title, is_draft=False),
                        "pathway": SimpleNamespace(
                            situation=SimpleNamespace(name=situation),
                            coalition=_Coalition(coalition, demo),
                        ),
                        "resolved": SimpleNamespace(
                            municipality=Municipality(code=code, name=name),
                            phase=phase,
                            fallback=fallback,
                        ),
                        "phase_label": phase_label(phase),
                        "is_current": True,
                    },
                )
                got = _resolved_head(choice, table, phase)
            assert got == expected
            assert escape(name) in got
            assert ("(demo)" in got) == demo
            if label is not None:
                assert label[language == "nl"] in got


def test_a_professional_can_refer_from_the_pathway_steps(
    smallingerland, client: Client, login_verified
) -> None:
    """Issue 5: a referral starts from a pathway step. The cached page stays the same for
    everybody; a signed-in professional gets the refer links of the steps whose service takes
    referrals through Kansrijk, with only ids and codes in the address."""
    from urllib.parse import parse_qs, urlsplit

    from kansrijk.accounts.roles import Role
    from tests.directory.factories import ServiceFactory
    from tests.factories import UserFactory
    from tests.referrals.factories import build_world

    world = build_world()
    by_phone = ServiceFactory(name="Schuldhulp per telefoon", municipalities=["GM0090"])
    pathway = make_pathway(
        smallingerland,
        steps=[
            step(StepKind.DISCUSS, "Bespreek het"),
            step(StepKind.REFER, "Verwijs naar de JGZ", service=world.service),
            step(StepKind.REFER, "Verwijs naar schuldhulp", service=by_phone),
        ],
    )
    url = "/zorgpaden/GM0090/geldzorgen/pregnancy/"

    anonymous = client.get(url).text
    assert "Verwijs naar de JGZ" in anonymous
    assert "/verwijzingen/nieuw/" not in anonymous

    login_verified(client, world.midwife)
    html = client.get(url).text
    links = re.findall(r'href="(/verwijzingen/nieuw/\?[^"]+)"', html)
    assert len(links) == 1  # the service by phone does not take referrals through Kansrijk
    query = parse_qs(urlsplit(links[0].replace("&amp;", "&")).query)
    assert query["service"] == [str(world.service.pk)]
    assert query["pathway"] == [str(pathway.pk)]
    assert query["phase"] == ["pregnancy"]
    assert query["situation"] == ["geldzorgen"]
    jgz_step = pathway.current_version.steps.get(service=world.service)
    assert query["step"] == [str(jgz_step.key)]

    editor = UserFactory(roles=[Role.COALITION_EDITOR])
    client.logout()
    login_verified(client, editor)
    assert "/verwijzingen/nieuw/" not in client.get(url).text  # not someone who refers


def test_how_to_refer_is_one_include(client, pathways, service):
    """How to refer to a service is rendered by one template wherever it is shown (the social
    map's result card and service page, a pathway step, the signalling result): the service
    page and the pathway page show the same list."""
    from pathlib import Path

    import kansrijk

    root = Path(kansrijk.__file__).parent
    readers = sorted(
        str(path.relative_to(root))
        for path in root.rglob("templates/**/*.html")
        if "method.contact" in path.read_text(encoding="utf-8")
    )
    assert readers == ["directory/templates/directory/_how_to_refer.html"]
    for name in (
        "directory/_card.html",
        "directory/service_detail.html",
        "pathways/_step_service.html",
        "signalling/_service.html",
    ):
        source = (root / name.split("/")[0] / "templates" / name).read_text(encoding="utf-8")
        assert '{% include "directory/_how_to_refer.html"' in source, name

    def methods(html: str) -> str:
        found = re.search(r'<ul class="kr-referral-methods">.*?</ul>', html, re.S)
        assert found is not None
        return found.group(0)

    pathway_page = client.get("/zorgpaden/GM0090/geldzorgen/pregnancy/").text
    service_page = client.get(reverse("directory:service", args=[service.pk])).text
    assert methods(pathway_page) == methods(service_page)
    assert methods(pathway_page).count("<li>") == 2
