"""Model invariants and the vocabularies."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from kansrijk.core.phases import Phase
from kansrijk.directory.models import (
    Location,
    ServiceArea,
    ServiceTaxonomy,
    TaxonomyTerm,
    verification_cutoff,
)
from kansrijk.directory.vocabularies import (
    NEED_CATEGORIES,
    NEED_TAXONOMY_ID,
    fixed_id,
    load_need_categories,
    need_term_id,
)
from tests.directory.factories import LocationFactory, ServiceFactory, TaxonomyTermFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_ids_are_uuids(places: None) -> None:
    service = ServiceFactory()
    assert len(str(service.id)) == 36
    assert len(str(service.organization.id)) == 36


def test_age_range_is_checked_by_the_database(places: None) -> None:
    service = ServiceFactory()
    service.minimum_age, service.maximum_age = 18, 4
    with pytest.raises(IntegrityError), transaction.atomic():
        service.save()


def test_coordinates_are_checked_by_the_database(places: None) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        LocationFactory(postcode=None, latitude=100, longitude=101)
    with pytest.raises(IntegrityError), transaction.atomic():
        LocationFactory(postcode=None, latitude=52.0, longitude=None)


def test_one_area_per_municipality(places: None) -> None:
    service = ServiceFactory(municipalities=["GM0090"])
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceArea.objects.create(service=service, municipality_id="GM0090")


def test_one_link_per_term(places: None) -> None:
    service = ServiceFactory()
    term = TaxonomyTermFactory()
    ServiceTaxonomy.objects.create(service=service, taxonomy_term=term)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceTaxonomy.objects.create(service=service, taxonomy_term=term)


def test_term_codes_are_unique_per_taxonomy_but_may_be_empty(places: None) -> None:
    term = TaxonomyTermFactory(code="")
    TaxonomyTermFactory(taxonomy=term.taxonomy, code="")
    TaxonomyTermFactory(taxonomy=term.taxonomy, code="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        TaxonomyTermFactory(taxonomy=term.taxonomy, code="a")


def test_phases_and_flags(places: None) -> None:
    service = ServiceFactory(phase_postnatal=True, phase_preconception=True)
    assert service.phases == [Phase.PRECONCEPTION, Phase.POSTNATAL]
    assert service.is_open
    assert service.needs_verification
    service.assured_date = datetime.date.today()
    assert not service.needs_verification


def test_verification_cutoff() -> None:
    assert verification_cutoff(datetime.date(2026, 6, 15)) == datetime.date(2025, 6, 15)
    assert verification_cutoff(datetime.date(2028, 2, 29)) == datetime.date(2027, 2, 28)


def test_location_address_line(places: None) -> None:
    location = LocationFactory(postcode="9203", address_1="Raadhuisplein 1", city="Drachten")
    assert location.address_line == "Raadhuisplein 1, 9203 AB Drachten"
    assert location.municipality_id == "GM0090"
    assert location.has_coordinates
    assert str(Location(name="", address_1="Dorpsstraat 1")) == "Dorpsstraat 1"


def test_need_categories_load_restores_what_was_changed_in_a_few_queries(
    db: None, django_assert_max_num_queries: object
) -> None:
    """A second load puts back an edited name and a removed term, and asks the database the same
    few things however many terms there are (not two or three queries a term)."""
    load_need_categories()
    money = TaxonomyTerm.objects.get(taxonomy_id=NEED_TAXONOMY_ID, code="geldzorgen")
    TaxonomyTerm.objects.filter(pk=money.pk).update(name="Anders")
    TaxonomyTerm.objects.filter(taxonomy_id=NEED_TAXONOMY_ID, code="roken").delete()
    # The taxonomy (select, update), the terms (select), one insert, one update; the savepoints.
    with django_assert_max_num_queries(9):  # type: ignore[operator]
        again = load_need_categories()
    assert (again.created, again.updated) == (1, len(NEED_CATEGORIES) - 1)
    assert TaxonomyTerm.objects.get(pk=money.pk).name == money.name
    assert TaxonomyTerm.objects.filter(taxonomy_id=NEED_TAXONOMY_ID).count() == len(NEED_CATEGORIES)


def test_need_categories_load_idempotently(db: None) -> None:
    first = load_need_categories()
    assert first.created == len(NEED_CATEGORIES)
    second = load_need_categories()
    assert (second.created, second.updated) == (0, len(NEED_CATEGORIES))
    terms = TaxonomyTerm.objects.filter(taxonomy_id=NEED_TAXONOMY_ID)
    assert terms.count() == len(NEED_CATEGORIES)
    codes = set(terms.values_list("code", flat=True))
    for code in (
        "geldzorgen",
        "roken",
        "huiselijk-geweld",
        "psychische-problemen",
        "huisvesting",
        "taalbarriere",
        "lvb",
        "tienerzwangerschap",
        "onbedoelde-zwangerschap",
        "vluchtelingen",
        "verslaving",
        "relatieproblemen",
        "laaggeletterdheid",
        "stress",
        "alleenstaand-ouderschap",
        "medische-problemen",
        "huilbaby",
        "zwangerschap-en-geboorte",
        "preconceptiezorg",
        "kraamzorg",
        "opvoeden",
    ):
        assert code in codes
    assert TaxonomyTerm.objects.get(id=need_term_id("stress")).parent_id == need_term_id(
        "psychische-problemen"
    )


def test_fixed_ids_are_stable() -> None:
    assert str(fixed_id("term", "hulpvraag", "roken")) == str(
        fixed_id("term", "hulpvraag", "roken")
    )
    assert need_term_id("roken").version == 5
    assert need_term_id("roken") != need_term_id("stress")
