"""factory_boy factories for the social map. They need the ``places`` fixture (municipalities, PC4).

``ServiceFactory(municipalities=["GM0090"], categories=["geldzorgen"], postcode="9203")`` makes
a service serving Smallingerland, in the need category money worries, with a location in
postcode area 9203, and fills its search columns.
"""

from __future__ import annotations

from typing import Any

import factory

from kansrijk.directory.models import (
    Domain,
    Language,
    Location,
    Organization,
    ReferralMethod,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceStatus,
    ServiceTaxonomy,
    Taxonomy,
    TaxonomyTerm,
)
from kansrijk.directory.search import refresh_search_text
from kansrijk.directory.vocabularies import NEED_TAXONOMY_ID, load_need_categories
from kansrijk.places.models import Municipality, PostcodeArea


class DirectoryOrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Aanbieder {n}")
    description = "Een organisatie op de sociale kaart."


class TaxonomyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Taxonomy

    name = factory.Sequence(lambda n: f"Taxonomie {n}")


class TaxonomyTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxonomyTerm

    taxonomy = factory.SubFactory(TaxonomyFactory)
    code = factory.Sequence(lambda n: f"term-{n}")
    name = factory.Sequence(lambda n: f"Term {n}")


class LocationFactory(factory.django.DjangoModelFactory):
    """A location; with ``postcode="9203"`` it gets that PC4 area, its municipality and point."""

    class Meta:
        model = Location

    organization = factory.SubFactory(DirectoryOrganizationFactory)
    name = factory.Sequence(lambda n: f"Locatie {n}")
    address_1 = factory.Sequence(lambda n: f"Hoofdstraat {n + 1}")
    postcode = "9203"

    @classmethod
    def _create(cls, model_class: type[Location], *args: Any, **kwargs: Any) -> Location:
        postcode = kwargs.pop("postcode", None)
        if postcode:
            area = PostcodeArea.objects.get(code=postcode[:4])
            kwargs.setdefault("postal_code", f"{postcode[:4]} AB")
            kwargs.setdefault("postcode_area", area)
            kwargs.setdefault("municipality_id", area.municipality_id)
            kwargs.setdefault("city", area.place_name)
            kwargs.setdefault("latitude", area.latitude)
            kwargs.setdefault("longitude", area.longitude)
        return super()._create(model_class, *args, **kwargs)


class ServiceFactory(factory.django.DjangoModelFactory):
    """Post-generation arguments: ``municipalities`` (CBS codes; default GM0090),
    ``categories`` (need-category codes), ``postcode`` (a location there; ``None`` for none),
    ``languages`` (ISO codes), ``referral_methods`` (method codes)."""

    class Meta:
        model = Service
        skip_postgeneration_save = True

    organization = factory.SubFactory(DirectoryOrganizationFactory)
    name = factory.Sequence(lambda n: f"Dienst {n}")
    description = "Hulp voor aanstaande ouders."
    status = ServiceStatus.ACTIVE
    domain = Domain.SOCIAL

    @factory.post_generation
    def municipalities(self, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        if not create:
            return
        codes = ["GM0090"] if extracted is None else extracted
        for code in codes:
            municipality = Municipality.objects.get(code=code)
            ServiceArea.objects.create(
                service=self, municipality=municipality, name=municipality.name, extent=code
            )

    @factory.post_generation
    def postcode(self, create: bool, extracted: str | None, **kwargs: Any) -> None:
        if create and extracted:
            location = LocationFactory(organization=self.organization, postcode=extracted)
            ServiceAtLocation.objects.create(service=self, location=location)

    @factory.post_generation
    def categories(self, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        if not create or not extracted:
            return
        if not TaxonomyTerm.objects.filter(taxonomy_id=NEED_TAXONOMY_ID).exists():
            load_need_categories()
        for code in extracted:
            term = TaxonomyTerm.objects.get(taxonomy_id=NEED_TAXONOMY_ID, code=code)
            ServiceTaxonomy.objects.create(service=self, taxonomy_term=term)

    @factory.post_generation
    def languages(self, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        for code in extracted or []:
            Language.objects.create(service=self, code=code, name=code)

    @factory.post_generation
    def referral_methods(self, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        for method in extracted or []:
            ReferralMethod.objects.create(
                service=self, method=method, instructions=f"Via {method}."
            )

    @factory.post_generation
    def search(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            refresh_search_text([self.id])
            self.refresh_from_db()
