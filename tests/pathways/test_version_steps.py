"""The steps of published versions and the services they name, kept per process
(``steps.version_steps``): loaded for a whole municipality at once, shown as they are on the
social map, and forgotten finely when services change."""

from __future__ import annotations

import datetime
import gc

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from kansrijk.core import freshness
from kansrijk.directory import changes
from kansrijk.directory.models import Location, Organization, Service
from kansrijk.pathways import steps as kept_steps
from kansrijk.pathways.models import PathwayScope, StepKind
from kansrijk.pathways.resolution import municipality_pathways
from kansrijk.pathways.steps import as_step_views, step_views, version_steps
from tests.pathways.conftest import make_coalition, make_pathway, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_services(places):
    from tests.directory.factories import ServiceFactory

    money = ServiceFactory(name="Schuldhulp Smallingerland", referral_methods=["phone"])
    smoking = ServiceFactory(name="Rookstoppoli", referral_methods=["secure_mail"])
    newest = ServiceFactory(name="Elders")
    # Changed long ago, well before the newest change: outside the margin in which changes are
    # looked for when the token changes.
    now = timezone.now()
    Service.objects.filter(pk__in=[money.pk, smoking.pk]).update(
        last_modified=now - datetime.timedelta(days=2)
    )
    Service.objects.filter(pk=newest.pk).update(last_modified=now - datetime.timedelta(days=1))
    freshness.forget_all()
    return money, smoking


@pytest.fixture
def pathways(smallingerland, two_services):
    money, smoking = two_services
    own = make_pathway(
        smallingerland,
        title="Geldzorgen in Smallingerland",
        steps=[step(StepKind.DISCUSS, "Bespreek"), step(StepKind.REFER, "Verwijs", money)],
    )
    smoking_pathway = make_pathway(
        smallingerland,
        situation="roken",
        title="Roken in Smallingerland",
        steps=[step(StepKind.REFER, "Verwijs naar de poli", smoking)],
    )
    national = make_coalition("Landelijk", [], scope="national")
    default = make_pathway(
        national,
        situation="stress",
        scope=PathwayScope.NATIONAL,
        municipalities=[],
        title="Stress (landelijk)",
        steps=[],
    )
    return own, smoking_pathway, default


MONEY = "/zorgpaden/GM0090/geldzorgen/pregnancy/"
SMOKING = "/zorgpaden/GM0090/roken/pregnancy/"
STRESS = "/zorgpaden/GM0090/stress/pregnancy/"


def test_the_first_page_of_a_municipality_loads_the_steps_of_all_its_pages(
    client, pathways, django_assert_max_num_queries, django_assert_num_queries
):
    """Token, name, the municipality's and the national pathways, the steps of every version
    shown there and their services: one query each. Its other pages need no query at all."""
    with django_assert_max_num_queries(6):
        assert "Geldzorgen in Smallingerland" in client.get(MONEY).text
    with django_assert_num_queries(0):
        html = client.get(SMOKING).text
    assert "Rookstoppoli" in html
    assert "Secure mail" in html
    with django_assert_num_queries(0):
        html = client.get(STRESS).text
    assert "Stress (landelijk)" in html
    assert "This version has no steps yet." in html


def test_a_service_change_reloads_only_that_service(
    client, pathways, two_services, django_assert_max_num_queries, django_assert_num_queries
):
    money, smoking = two_services
    client.get(MONEY)
    steps = kept_steps._steps.as_dict()
    services = kept_steps._services.as_dict()
    assert len(steps) == 3
    assert set(services) == {str(money.pk), str(smoking.pk)}
    # The service changes (in another process: this one reads the token again).
    Service.objects.filter(pk=money.pk).update(
        name="Schuldhulp Drachten", last_modified=timezone.now()
    )
    freshness.bump("directory")  # as this process sees another's committed write
    # The token, the services changed since, and the one that is not kept any more.
    with django_assert_max_num_queries(3):
        html = client.get(MONEY).text
    assert "Schuldhulp Drachten" in html
    assert "Schuldhulp Smallingerland" not in html
    assert kept_steps._steps.as_dict() == steps  # a version's steps do not change
    assert kept_steps._services.get(str(money.pk)) != services[str(money.pk)]
    assert kept_steps._services.get(str(smoking.pk)) == services[str(smoking.pk)]
    # The other pages are built again (the page token changed) without a query.
    with django_assert_num_queries(0):
        assert "Rookstoppoli" in client.get(SMOKING).text


def test_many_changed_services_forget_all_services(
    client, pathways, two_services, monkeypatch, django_assert_max_num_queries
):
    money, smoking = two_services
    # Made long ago: only the service changed below is a change (the margin finds the changes
    # of the last minute again: of a service, its locations or its organisation).
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    for model in (Service, Organization, Location):
        model.objects.update(last_modified=long_ago)
    client.get(MONEY)
    assert kept_steps._services.get(str(smoking.pk)) is not None
    monkeypatch.setattr(changes, "MANY_CHANGES", 0)
    Service.objects.filter(pk=money.pk).update(
        name="Schuldhulp Drachten", last_modified=timezone.now()
    )
    freshness.bump("directory")
    # Every kept service is forgotten, not only the one that changed.
    assert kept_steps._services.get(str(smoking.pk)) is None
    with django_assert_max_num_queries(3):
        assert "Rookstoppoli" in client.get(SMOKING).text
    assert len(kept_steps._services) == 2  # the municipality's, loaded again in one query
    assert "Schuldhulp Drachten" in client.get(MONEY).text


def test_kept_steps_expire(client, pathways, monkeypatch, django_assert_max_num_queries):
    """Steps are kept for ``TABLE_SECONDS`` at most: an organisation's new name shows then."""
    from kansrijk.directory.models import Organization

    money_service = Service.objects.get(name="Schuldhulp Smallingerland")
    client.get(MONEY)
    Organization.objects.filter(pk=money_service.organization_id).update(name="Gemeente Drachten")
    monkeypatch.setattr(kept_steps._steps, "seconds", -1.0)
    monkeypatch.setattr(kept_steps._services, "seconds", -1.0)
    cache.clear()  # the cached page expires too (``PAGE_TTL``)
    assert "Gemeente Drachten" in client.get(MONEY).text


def test_the_kept_steps_are_what_step_views_gives(pathways):
    own, smoking_pathway, default = pathways
    for pathway in (own, smoking_pathway, default):
        version_id = pathway.current_version_id
        assert as_step_views(version_steps(version_id)) == step_views(version_id)


def test_versions_and_services_are_loaded_in_padded_batches(
    smallingerland, two_services, monkeypatch, django_assert_num_queries
):
    """On PostgreSQL one query with the ids as one array; elsewhere one query per batch, its
    list of ids padded to one of a few sizes with ids nothing has. Versions without steps, and
    unknown ones, are kept as having none."""
    money, smoking = two_services
    monkeypatch.setattr(kept_steps, "_BATCH", 4)
    monkeypatch.setattr(kept_steps, "_BATCH_SIZES", (1, 3, 4))
    situations = ["geldzorgen", "roken", "stress", "huisvesting", "relatieproblemen"]
    made = [
        make_pathway(
            smallingerland,
            situation=code,
            steps=[step(StepKind.REFER, f"Stap {code}", money if index % 2 else smoking)]
            if index % 3
            else [],
        )
        for index, code in enumerate(situations)
    ]
    version_ids = [p.current_version_id for p in made]
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        loaded = kept_steps._load_steps([*version_ids, 999_999])
    assert set(loaded) == {v for i, v in enumerate(version_ids) if i % 3}
    for index, version_id in enumerate(version_ids):
        if index % 3:
            assert loaded[version_id] == (
                (
                    1,
                    "refer",
                    f"Stap {situations[index]}",
                    "",
                    "",
                    str(money.pk if index % 2 else smoking.pk),
                ),
            )
    with django_assert_num_queries(1):
        services = kept_steps._load_services([str(money.pk), str(smoking.pk)])
    assert services[str(money.pk)][:3] == (str(money.pk), "Schuldhulp Smallingerland", "active")
    assert services[str(money.pk)][9] == (("phone", "", "Via phone."),)
    table = municipality_pathways("GM0090")
    freshness.token(["directory"])  # read now
    # The steps of the municipality's five versions (two batches of four elsewhere), then
    # their services.
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 3):
        assert version_steps(version_ids[0], with_versions=table.version_ids) == ()
    assert set(table.version_ids) <= set(kept_steps._steps.as_dict())
    assert set(kept_steps._services.as_dict()) == {str(money.pk), str(smoking.pk)}
    with django_assert_num_queries(0):
        kept = version_steps(version_ids[1], with_versions=table.version_ids)
    assert kept[0][5] == services[str(money.pk)]


def test_the_kept_steps_are_not_followed_by_the_garbage_collector(client, pathways):
    """Bytes and strings: a worker keeps tens of thousands of versions and services, and as
    objects they made every full collection slow."""
    client.get(MONEY)
    gc.collect()
    assert len(kept_steps._steps)
    assert len(kept_steps._services)
    kept = [*kept_steps._steps.as_dict().values(), *kept_steps._services.as_dict().values()]
    assert not any(gc.is_tracked(entry) for entry in kept)


def test_a_change_is_forgotten_once(client, pathways, two_services, django_assert_max_num_queries):
    """A service changed is forgotten at the next token change, and not again at the ones after
    it, though the changes are looked for with a margin: a worker under a service edit every
    second forgot every service it kept at each token change."""
    money, smoking = two_services
    client.get(MONEY)
    Service.objects.filter(pk=money.pk).update(
        name="Schuldhulp Drachten", last_modified=timezone.now()
    )
    freshness.bump("directory")
    assert "Schuldhulp Drachten" in client.get(MONEY).text
    services = kept_steps._services.as_dict()
    assert set(services) == {str(money.pk), str(smoking.pk)}
    freshness.bump("directory")  # a change elsewhere: money's change is still in the margin
    with django_assert_max_num_queries(2):  # the token and the changes: no service read again
        assert "Schuldhulp Drachten" in client.get(MONEY).text
    assert kept_steps._services.as_dict() == services
