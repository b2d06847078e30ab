"""Building: collected HSDS rows become unsaved model instances, under the import's rules (see
``kansrijk.directory.hsds.importer``); every broken rule is an ``Issue``."""

from __future__ import annotations

import decimal
import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kansrijk.core.phases import PHASE_FIELDS
from kansrijk.directory.hsds.reader import Collected, Row
from kansrijk.directory.hsds.values import RowValues
from kansrijk.directory.models import (
    Contact,
    CostOption,
    Frequency,
    Language,
    Location,
    LocationType,
    Organization,
    Phone,
    PhoneType,
    ReferralMethod,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceStatus,
    ServiceTaxonomy,
    Taxonomy,
    TaxonomyTerm,
    Weekday,
)
from kansrijk.directory.services import municipality_area
from kansrijk.directory.vocabularies import (
    ATTRIBUTE_TAXONOMIES,
    ATTRIBUTE_TERMS_BY_ID,
    COST_TAXONOMY,
    DEMO_TAXONOMY,
    DOMAIN_TAXONOMY,
    PHASE_TAXONOMY,
    REFERRAL_TAXONOMY,
    RESPONSE_TAXONOMY,
    TARGET_GROUP_TAXONOMY,
    AttributeTerm,
    attribute_term_for,
    fixed_id,
)
from kansrijk.places.exceptions import InvalidPostcode
from kansrijk.places.models import Municipality, PostcodeArea
from kansrijk.places.selectors import normalise_postcode

#: The Netherlands (European part) with a margin: where a location can be, in practice.
NL_BOUNDS = {"min_lat": 50.70, "max_lat": 53.70, "min_lon": 3.20, "max_lon": 7.30}
_CBS_CODE = re.compile(r"GM\d{4}", re.IGNORECASE)
_COUNTRIES_NL = {"nl", "nld", "nederland", "netherlands", "the netherlands"}


#: The parents a row of a child table may name, and their models.
_PARENT_MODELS: dict[str, type[models.Model]] = {
    "organization_id": Organization,
    "service_id": Service,
    "service_at_location_id": ServiceAtLocation,
    "location_id": Location,
    "contact_id": Contact,
    "phone_id": Phone,
}


def existing_ids(model: type[models.Model], ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """The ``ids`` that name a row of ``model`` in the database (500 to a query)."""
    found: set[uuid.UUID] = set()
    for start in range(0, len(ids), 500):
        found.update(
            model._default_manager.filter(pk__in=ids[start : start + 500]).values_list(
                "pk", flat=True
            )
        )
    return found


@dataclass
class _ServiceExtras:
    phases: set[str] = field(default_factory=set)
    domain: str = ""
    is_free: bool | None = None
    response_time_days: int | None = None
    target_group: str = ""
    is_demo: bool = False
    referral_methods: dict[str, ReferralMethod] = field(default_factory=dict)


class Builder(RowValues):
    """Turns collected rows into unsaved model instances, reporting every broken rule."""

    def __init__(self, collected: Collected) -> None:
        super().__init__(collected)
        self.objects: dict[type[models.Model], dict[uuid.UUID, models.Model]] = defaultdict(dict)
        self.complete: dict[type[models.Model], set[uuid.UUID]] = defaultdict(set)
        self.extras: dict[uuid.UUID, _ServiceExtras] = defaultdict(_ServiceExtras)
        self.service_cost_amounts: dict[uuid.UUID, list[decimal.Decimal | None]] = defaultdict(list)
        self.municipalities = {m.code: m for m in Municipality.objects.select_related("province")}
        self.municipalities_by_name = {m.name.casefold(): m for m in self.municipalities.values()}
        self._existing: dict[type[models.Model], set[uuid.UUID]] = {}
        #: Per file, how many addresses got their province from the postcode.
        self.provinces_from_postcode: Counter[str] = Counter()

    def exists(self, model: type[models.Model], object_id: uuid.UUID) -> bool:
        if object_id in self.objects[model]:
            return True
        if model not in self._existing:
            self._existing[model] = set()
        return object_id in self._existing[model]

    def preload_existing(self, model: type[models.Model], ids: Iterable[uuid.UUID]) -> None:
        wanted = [object_id for object_id in set(ids) if object_id not in self.objects[model]]
        self._existing.setdefault(model, set()).update(existing_ids(model, wanted))

    def rows(self, table: str) -> list[Row]:
        return list(self.c.rows[table].values())

    def identified_rows(self, table: str) -> Iterator[tuple[Row, uuid.UUID]]:
        """The rows of ``table`` with their ``id``; a row without a valid one is reported (an
        error) and left out."""
        for row in self.rows(table):
            object_id = self.get_uuid(row, "id", required=True)
            if object_id is not None:
                yield row, object_id

    def _refs(self, table: str, field_name: str) -> list[uuid.UUID]:
        refs = []
        for row in self.rows(table):
            try:
                refs.append(uuid.UUID(str(row.data[field_name])))
            except (KeyError, ValueError):
                continue
        return refs

    # -- building ----------------------------------------------------------------------------------

    def build(self) -> None:
        self.preload_existing(Taxonomy, self._refs("taxonomy_term", "taxonomy_id"))
        self.preload_existing(
            TaxonomyTerm,
            self._refs("taxonomy_term", "id")
            + self._refs("taxonomy_term", "parent_id")
            + self._refs("attribute", "taxonomy_term_id"),
        )
        self.preload_existing(
            Organization,
            self._refs("service", "organization_id")
            + self._refs("organization", "parent_organization_id"),
        )
        self._taxonomies()
        self._taxonomy_terms()
        self._organizations()
        self._locations()
        self._report_provinces()
        self.preload_existing(Location, self._refs("service_at_location", "location_id"))
        self._services()
        self.preload_existing(
            Service,
            self._refs("service_at_location", "service_id")
            + self._refs("service_area", "service_id"),
        )
        self._service_at_locations()
        self._service_areas()
        self._contacts()
        self._phones()
        self._languages()
        self._schedules()
        self._cost_options()
        self._attributes()
        self._finish_services()

    def _add(self, model: type[models.Model], obj: models.Model, row: Row) -> None:
        self.objects[model][obj.pk] = obj
        if row.complete:
            self.complete[model].add(obj.pk)

    def _taxonomies(self) -> None:
        attribute_taxonomy_ids = {term.taxonomy_id for term in ATTRIBUTE_TERMS_BY_ID.values()}
        for row, object_id in self.identified_rows("taxonomy"):
            if object_id in attribute_taxonomy_ids:
                continue
            name = self.text(row, "name", Taxonomy, required=True)
            self._add(
                Taxonomy,
                Taxonomy(
                    id=object_id,
                    name=name,
                    description=str(row.data.get("description") or ""),
                    uri=self.url(row, "uri", Taxonomy),
                    version=self.text(row, "version", Taxonomy),
                ),
                row,
            )

    def _taxonomy_terms(self) -> None:
        pending_parents: list[tuple[TaxonomyTerm, Row, uuid.UUID]] = []
        for row, object_id in self.identified_rows("taxonomy_term"):
            if object_id in ATTRIBUTE_TERMS_BY_ID:
                continue
            taxonomy_name = str(row.data.get("taxonomy") or "").strip()
            if taxonomy_name in ATTRIBUTE_TAXONOMIES:
                continue
            taxonomy_id = self.get_uuid(row, "taxonomy_id")
            if taxonomy_id is None and not taxonomy_name and self.exists(TaxonomyTerm, object_id):
                continue  # a reference to a term the directory has: nothing to update
            if taxonomy_id is None or not self.exists(Taxonomy, taxonomy_id):
                if taxonomy_name:
                    if taxonomy_id is not None:
                        self.warning(
                            row,
                            "taxonomy_id",
                            _(
                                "Unknown taxonomy %(id)s; the term is filed under the taxonomy named %(name)s."
                            )
                            % {"id": taxonomy_id, "name": taxonomy_name},
                        )
                    taxonomy_id = fixed_id("taxonomy", taxonomy_name)
                    if not self.exists(Taxonomy, taxonomy_id):
                        self.preload_existing(Taxonomy, [taxonomy_id])
                    if not self.exists(Taxonomy, taxonomy_id):
                        self.objects[Taxonomy][taxonomy_id] = Taxonomy(
                            id=taxonomy_id, name=taxonomy_name[:200]
                        )
                else:
                    self.error(
                        row,
                        "taxonomy_id",
                        _("A taxonomy term needs a known taxonomy_id or a taxonomy name."),
                    )
                    continue
            name = self.text(row, "name", TaxonomyTerm)
            term = TaxonomyTerm(
                id=object_id,
                taxonomy_id=taxonomy_id,
                code=self.text(row, "code", TaxonomyTerm),
                name=name,
                description=str(row.data.get("description") or ""),
                language=self.text(row, "language", TaxonomyTerm),
                term_uri=self.url(row, "term_uri", TaxonomyTerm),
            )
            self._add(TaxonomyTerm, term, row)
            parent_id = self.get_uuid(row, "parent_id")
            if parent_id is not None:
                pending_parents.append((term, row, parent_id))
        for term, row, parent_id in pending_parents:
            if self.exists(TaxonomyTerm, parent_id):
                term.parent_id = parent_id
            else:
                self.warning(
                    row,
                    "parent_id",
                    _("Unknown parent term %(id)s; left empty.") % {"id": parent_id},
                )
        # Two terms with the same code in one taxonomy break the unique constraint.
        seen: dict[tuple[uuid.UUID, str], uuid.UUID] = {}
        for obj in self.objects[TaxonomyTerm].values():
            assert isinstance(obj, TaxonomyTerm)
            if obj.code:
                key = (obj.taxonomy_id, obj.code)
                if key in seen and seen[key] != obj.id:
                    row = self.c.rows["taxonomy_term"][str(obj.id)]
                    self.error(
                        row,
                        "code",
                        _("Another term in this taxonomy has code %(code)s.") % {"code": obj.code},
                    )
                seen[key] = obj.id
        if seen:
            clashes = TaxonomyTerm.objects.filter(
                taxonomy_id__in={key[0] for key in seen}, code__in={key[1] for key in seen}
            ).values_list("taxonomy_id", "code", "id")
            for taxonomy_id, code, term_id in clashes:
                other = seen.get((taxonomy_id, code))
                if other is not None and other != term_id:
                    row = self.c.rows["taxonomy_term"][str(other)]
                    self.error(
                        row,
                        "code",
                        _(
                            "The directory already has term %(code)s in this taxonomy, with id %(id)s."
                        )
                        % {"code": code, "id": term_id},
                    )

    def _organizations(self) -> None:
        for row, object_id in self.identified_rows("organization"):
            name = self.text(row, "name", Organization, required=True)
            organization = Organization(
                id=object_id,
                name=name,
                alternate_name=self.text(row, "alternate_name", Organization),
                description=str(row.data.get("description") or ""),
                email=self.email(row, "email", Organization),
                website=self.url(row, "website", Organization),
                tax_status=self.text(row, "tax_status", Organization),
                tax_id=self.text(row, "tax_id", Organization),
                year_incorporated=self.integer(row, "year_incorporated", 1000, 2100),
                legal_status=self.text(row, "legal_status", Organization),
                logo=self.url(row, "logo", Organization),
                uri=self.url(row, "uri", Organization),
            )
            self._add(Organization, organization, row)
        for row in self.rows("organization"):
            parent_id = self.get_uuid(row, "parent_organization_id")
            child_id = self.get_uuid(row, "id")
            if parent_id is None or child_id is None:
                continue
            if self.exists(Organization, parent_id):
                child = self.objects[Organization][child_id]
                assert isinstance(child, Organization)
                child.parent_organization_id = parent_id
            else:
                self.warning(
                    row,
                    "parent_organization_id",
                    _("Unknown parent organisation %(id)s; left empty.") % {"id": parent_id},
                )

    def _locations(self) -> None:
        addresses: dict[uuid.UUID, list[Row]] = defaultdict(list)
        for row in self.rows("address"):
            location_id = self.get_uuid(row, "location_id", required=True)
            self.get_uuid(row, "id", required=True)
            if location_id is not None:
                addresses[location_id].append(row)
        postcodes: dict[str, PostcodeArea] = {}
        wanted_pc4 = set()
        for rows in addresses.values():
            for row in rows:
                try:
                    wanted_pc4.add(normalise_postcode(str(row.data.get("postal_code") or "")))
                except InvalidPostcode:
                    continue
        postcodes = {area.code: area for area in PostcodeArea.objects.filter(code__in=wanted_pc4)}
        location_ids = set()
        for row, object_id in self.identified_rows("location"):
            location_ids.add(object_id)
            organization_id = self.get_uuid(row, "organization_id")
            if organization_id is not None and not self.exists(Organization, organization_id):
                self.preload_existing(Organization, [organization_id])
                if not self.exists(Organization, organization_id):
                    self.error(
                        row,
                        "organization_id",
                        _("No organisation with id %(id)s.") % {"id": organization_id},
                    )
                    organization_id = None
            location = Location(
                id=object_id,
                organization_id=organization_id,
                location_type=self.choice(
                    row, "location_type", LocationType.values, default=LocationType.PHYSICAL
                ),
                name=self.text(row, "name", Location),
                alternate_name=self.text(row, "alternate_name", Location),
                description=str(row.data.get("description") or ""),
                transportation=str(row.data.get("transportation") or ""),
                url=self.url(row, "url", Location),
                external_identifier=self.text(row, "external_identifier", Location),
                external_identifier_type=self.text(row, "external_identifier_type", Location),
            )
            self._coordinates(row, location)
            self._address(location, addresses.get(object_id, []), postcodes)
            self._add(Location, location, row)
        for location_id, rows in addresses.items():
            if location_id not in location_ids:
                for row in rows:
                    self.error(
                        row,
                        "location_id",
                        _("No location with id %(id)s in this import.") % {"id": location_id},
                    )

    def _coordinates(self, row: Row, location: Location) -> None:
        latitude = self.number(row, "latitude")
        longitude = self.number(row, "longitude")
        if (latitude is None) != (longitude is None):
            self.error(
                row,
                "latitude" if latitude is None else "longitude",
                _("Give both latitude and longitude, or neither."),
            )
            return
        if latitude is None or longitude is None:
            return
        valid = True
        if not -90 <= latitude <= 90:
            self.error(
                row,
                "latitude",
                _("Latitude %(value)s is not between -90 and 90.")
                % {"value": row.data["latitude"]},
            )
            valid = False
        if not -180 <= longitude <= 180:
            self.error(
                row,
                "longitude",
                _("Longitude %(value)s is not between -180 and 180.")
                % {"value": row.data["longitude"]},
            )
            valid = False
        if valid and not (
            NL_BOUNDS["min_lat"] <= latitude <= NL_BOUNDS["max_lat"]
            and NL_BOUNDS["min_lon"] <= longitude <= NL_BOUNDS["max_lon"]
        ):
            self.error(
                row,
                "latitude",
                _("The point %(lat)s, %(lon)s is outside the Netherlands.")
                % {"lat": latitude, "lon": longitude},
            )
            valid = False
        if valid:
            location.latitude, location.longitude = latitude, longitude

    def _address(
        self, location: Location, rows: list[Row], postcodes: dict[str, PostcodeArea]
    ) -> None:
        if not rows:
            return
        rows = sorted(
            rows,
            key=lambda row: (
                0 if str(row.data.get("address_type") or "physical").lower() == "physical" else 1
            ),
        )
        row = rows[0]
        for extra in rows[1:]:
            self.warning(extra, "", _("A location keeps one address; this one is not stored."))
        location.address_id = self.get_uuid(row, "id")
        location.address_attention = self.text(row, "attention", Location, "address_attention")
        location.address_1 = self.text(row, "address_1", Location)
        location.address_2 = self.text(row, "address_2", Location)
        location.city = self.text(row, "city", Location)
        location.region = self.text(row, "region", Location)
        location.state_province = self.text(row, "state_province", Location)
        location.address_type = self.choice(
            row, "address_type", LocationType.values, default=LocationType.PHYSICAL
        )
        country = str(row.data.get("country") or "NL").strip()
        if country.casefold() not in _COUNTRIES_NL:
            self.error(
                row,
                "country",
                _("Only addresses in the Netherlands (NL) can be imported, not %(value)s.")
                % {"value": country},
            )
        raw_postcode = str(row.data.get("postal_code") or "").strip()
        area = self._postcode_area(row, raw_postcode, postcodes) if raw_postcode else None
        if area is None:
            if not location.state_province:
                self.error(
                    row,
                    "state_province",
                    _(
                        "Fill in the province (state_province), or a Dutch postcode to take it "
                        "from."
                    ),
                )
            return
        compact = re.sub(r"\s+", "", raw_postcode.upper())
        location.postal_code = f"{compact[:4]} {compact[4:]}".strip()
        location.postcode_area = area
        location.municipality = self.municipalities.get(area.municipality_id)
        if not location.state_province and location.municipality is not None:
            location.state_province = location.municipality.province.name
            self.provinces_from_postcode[row.file] += 1
        if location.latitude is None and area.has_coordinates:
            location.latitude, location.longitude = area.latitude, area.longitude

    def _postcode_area(
        self, row: Row, raw_postcode: str, postcodes: dict[str, PostcodeArea]
    ) -> PostcodeArea | None:
        try:
            pc4 = normalise_postcode(raw_postcode)
        except InvalidPostcode:
            self.error(
                row,
                "postal_code",
                _("%(value)s is not a Dutch postcode (such as 9203 AB).") % {"value": raw_postcode},
            )
            return None
        area = postcodes.get(pc4)
        if area is None:
            self.error(
                row,
                "postal_code",
                _("Postcode %(value)s does not exist.") % {"value": raw_postcode},
            )
        return area

    def _report_provinces(self) -> None:
        for file, count in sorted(self.provinces_from_postcode.items()):
            self.c.warning(
                file,
                "",
                "state_province",
                ngettext(
                    "%(count)d address has no province (state_province): it is taken from its "
                    "postcode (postcode area → municipality → province).",
                    "%(count)d addresses have no province (state_province): it is taken from "
                    "their postcode (postcode area → municipality → province).",
                    count,
                )
                % {"count": count},
            )

    def _services(self) -> None:
        for row, object_id in self.identified_rows("service"):
            organization_id = self.get_uuid(row, "organization_id")
            if organization_id is None:
                self.error(
                    row,
                    "organization_id",
                    _("A service needs an organization (organization_id)."),
                )
            elif not self.exists(Organization, organization_id):
                self.error(
                    row,
                    "organization_id",
                    _("No organisation with id %(id)s.") % {"id": organization_id},
                )
            name = self.text(row, "name", Service, required=True)
            minimum_age = self.integer(row, "minimum_age", 0, 130)
            maximum_age = self.integer(row, "maximum_age", 0, 130)
            if minimum_age is not None and maximum_age is not None and minimum_age > maximum_age:
                self.error(row, "minimum_age", _("The minimum age is above the maximum age."))
            status_value = row.data.get("status")
            status = self.choice(row, "status", ServiceStatus.values, default=ServiceStatus.ACTIVE)
            if status_value in (None, ""):
                self.error(row, "status", _("This field is required."))
            service = Service(
                id=object_id,
                organization_id=organization_id or uuid.UUID(int=0),  # errors stop the import
                name=name,
                alternate_name=self.text(row, "alternate_name", Service),
                description=str(row.data.get("description") or ""),
                url=self.url(row, "url", Service),
                email=self.email(row, "email", Service),
                status=status,
                interpretation_services=str(row.data.get("interpretation_services") or ""),
                application_process=str(row.data.get("application_process") or ""),
                fees_description=str(
                    row.data.get("fees_description") or row.data.get("fees") or ""
                ),
                wait_time=self.text(row, "wait_time", Service),
                accreditations=str(row.data.get("accreditations") or ""),
                licenses=str(row.data.get("licenses") or ""),
                alert=str(row.data.get("alert") or ""),
                eligibility_description=str(row.data.get("eligibility_description") or ""),
                minimum_age=minimum_age,
                maximum_age=maximum_age
                if minimum_age is None or maximum_age is None or minimum_age <= maximum_age
                else None,
                assured_date=self.date(row, "assured_date"),
                assurer_email=self.email(row, "assurer_email", Service),
            )
            self.date(row, "last_modified")  # checked, not stored: last_modified is ours
            self._add(Service, service, row)

    def _parent(
        self, row: Row, field_name: str, model: type[models.Model], *, required: bool = False
    ) -> uuid.UUID | None:
        object_id = self.get_uuid(row, field_name, required=required)
        if object_id is None:
            return None
        if not self.exists(model, object_id):
            self.preload_existing(model, [object_id])
        if not self.exists(model, object_id):
            self.error(
                row,
                field_name,
                _("No %(kind)s with id %(id)s.")
                % {"kind": model._meta.verbose_name, "id": object_id},
            )
            return None
        return object_id

    def _parents(self, row: Row, *field_names: str) -> dict[str, uuid.UUID | None]:
        """The optional parents that ``row`` names in ``field_names`` (``None`` where it names
        none, or one that does not exist: an error)."""
        return {name: self._parent(row, name, _PARENT_MODELS[name]) for name in field_names}

    def _first_link(
        self, row: Row, pairs: set[tuple[Any, Any]], pair: tuple[Any, Any], field: str, repeat: str
    ) -> bool:
        """Whether ``pair`` is linked for the first time (and note it in ``pairs``); a repeat is
        a warning, ``repeat``, on ``field``, and is skipped."""
        if pair in pairs:
            self.warning(row, field, repeat)
            return False
        pairs.add(pair)
        return True

    def _service_at_locations(self) -> None:
        pairs: set[tuple[uuid.UUID, uuid.UUID]] = set()
        for row in self.rows("service_at_location"):
            object_id = self.get_uuid(row, "id", required=True)
            service_id = self._parent(row, "service_id", Service, required=True)
            location_id = self._parent(row, "location_id", Location, required=True)
            if object_id is None or service_id is None or location_id is None:
                continue
            if not self._first_link(
                row,
                pairs,
                (service_id, location_id),
                "location_id",
                _("This service is already linked to this location; skipped."),
            ):
                continue
            self._add(
                ServiceAtLocation,
                ServiceAtLocation(
                    id=object_id,
                    service_id=service_id,
                    location_id=location_id,
                    description=str(row.data.get("description") or ""),
                ),
                row,
            )

    def _municipality_for_area(self, row: Row) -> Municipality | None:
        extent_type = str(row.data.get("extent_type") or "text").strip().lower()
        extent = str(row.data.get("extent") or "").strip()
        name = str(row.data.get("name") or "").strip()
        if extent_type != "text":
            self.error(
                row,
                "extent_type",
                _(
                    "Service areas of type %(type)s are not supported: give the municipality as extent_type "
                    "text with its CBS code (such as GM0090) or its name."
                )
                % {"type": extent_type},
            )
            return None
        if extent and _CBS_CODE.fullmatch(extent):
            municipality = self.municipalities.get(extent.upper())
            if municipality is None:
                self.error(
                    row, "extent", _("%(value)s is not a municipality code.") % {"value": extent}
                )
            return municipality
        for candidate in (extent, name):
            if candidate and candidate.casefold() in self.municipalities_by_name:
                return self.municipalities_by_name[candidate.casefold()]
        self.error(
            row,
            "extent",
            _(
                "Cannot tell which municipality %(value)s is: give its CBS code (such as GM0090) or exact name."
            )
            % {"value": extent or name or "-"},
        )
        return None

    def _service_areas(self) -> None:
        pairs: set[tuple[uuid.UUID, str]] = set()
        for row in self.rows("service_area"):
            object_id = self.get_uuid(row, "id", required=True)
            service_id = self._parent(row, "service_id", Service, required=True)
            municipality = self._municipality_for_area(row)
            if object_id is None or service_id is None or municipality is None:
                continue
            if not self._first_link(
                row,
                pairs,
                (service_id, municipality.code),
                "extent",
                _("This municipality is already a service area of this service; skipped."),
            ):
                continue
            self._add(
                ServiceArea,
                ServiceArea(
                    id=object_id,
                    service_id=service_id,
                    municipality=municipality,
                    name=self.text(row, "name", ServiceArea) or municipality.name,
                    description=str(row.data.get("description") or ""),
                    extent=municipality.code,
                    extent_type="text",
                    uri=self.url(row, "uri", ServiceArea),
                ),
                row,
            )

    def _contacts(self) -> None:
        for row, object_id in self.identified_rows("contact"):
            contact = Contact(
                id=object_id,
                **self._parents(
                    row, "organization_id", "service_id", "service_at_location_id", "location_id"
                ),
                name=self.text(row, "name", Contact),
                title=self.text(row, "title", Contact),
                department=self.text(row, "department", Contact),
                email=self.email(row, "email", Contact),
            )
            self._add(Contact, contact, row)

    def _phones(self) -> None:
        for row, object_id in self.identified_rows("phone"):
            number = self.text(row, "number", Phone).strip('"').strip()
            if not number:
                self.error(row, "number", _("This field is required."))
            phone = Phone(
                id=object_id,
                **self._parents(
                    row,
                    "organization_id",
                    "service_id",
                    "service_at_location_id",
                    "location_id",
                    "contact_id",
                ),
                number=number,
                extension=self.integer(row, "extension", 0, 999_999_999),
                type=self.choice(row, "type", PhoneType.values),
                description=str(row.data.get("description") or ""),
            )
            self._add(Phone, phone, row)

    def _languages(self) -> None:
        for row, object_id in self.identified_rows("language"):
            code = self.text(row, "code", Language).lower()
            if code and not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})?", code):
                self.error(
                    row, "code", _("%(value)s is not an ISO 639 language code.") % {"value": code}
                )
            self._add(
                Language,
                Language(
                    id=object_id,
                    **self._parents(row, "service_id", "location_id", "phone_id"),
                    name=self.text(row, "name", Language),
                    code=code,
                    note=str(row.data.get("note") or ""),
                ),
                row,
            )

    def _schedules(self) -> None:
        for row, object_id in self.identified_rows("schedule"):
            self._add(
                Schedule,
                Schedule(
                    id=object_id,
                    **self._parents(row, "service_id", "location_id", "service_at_location_id"),
                    valid_from=self.date(row, "valid_from"),
                    valid_to=self.date(row, "valid_to"),
                    dtstart=self.date(row, "dtstart"),
                    timezone=self.number(row, "timezone"),
                    until=self.date(row, "until"),
                    count=self.integer(row, "count", 0, 1_000_000),
                    wkst=self.choice(row, "wkst", Weekday.values, upper=True),
                    freq=self.choice(row, "freq", Frequency.values, upper=True),
                    interval=self.integer(row, "interval", 0, 1_000_000),
                    byday=self.text(row, "byday", Schedule),
                    byweekno=self.text(row, "byweekno", Schedule),
                    bymonthday=self.text(row, "bymonthday", Schedule),
                    byyearday=self.text(row, "byyearday", Schedule),
                    description=str(row.data.get("description") or ""),
                    opens_at=self.time(row, "opens_at"),
                    closes_at=self.time(row, "closes_at"),
                    schedule_link=self.url(row, "schedule_link", Schedule),
                    attending_type=self.text(row, "attending_type", Schedule),
                    notes=str(row.data.get("notes") or ""),
                ),
                row,
            )

    def _cost_options(self) -> None:
        for row in self.rows("cost_option"):
            object_id = self.get_uuid(row, "id", required=True)
            service_id = self._parent(row, "service_id", Service, required=True)
            if object_id is None or service_id is None:
                continue
            amount_value = self.number(row, "amount")
            amount = None
            if amount_value is not None:
                if amount_value < 0 or amount_value >= 10**8:
                    self.error(
                        row,
                        "amount",
                        _("%(value)s is not a valid amount.") % {"value": row.data.get("amount")},
                    )
                else:
                    amount = decimal.Decimal(str(amount_value)).quantize(decimal.Decimal("0.01"))
            self.service_cost_amounts[service_id].append(amount)
            self._add(
                CostOption,
                CostOption(
                    id=object_id,
                    service_id=service_id,
                    valid_from=self.date(row, "valid_from"),
                    valid_to=self.date(row, "valid_to"),
                    option=self.text(row, "option", CostOption),
                    currency=self.text(row, "currency", CostOption).upper(),
                    amount=amount,
                    amount_description=self.text(row, "amount_description", CostOption),
                ),
                row,
            )

    def _attributes(self) -> None:
        pairs: set[tuple[uuid.UUID, uuid.UUID]] = set()
        for row in self.rows("attribute"):
            object_id = self.get_uuid(row, "id", required=True)
            entity = str(row.data.get("link_entity") or "").strip().lower()
            if entity != "service":
                self.c.ignored[f"attribute ({entity or '-'})"] += 1
                continue
            service_id = self._parent(row, "link_id", Service, required=True)
            term_id = self.get_uuid(row, "taxonomy_term_id", required=True)
            if object_id is None or service_id is None or term_id is None:
                continue
            kansrijk = ATTRIBUTE_TERMS_BY_ID.get(term_id)
            if kansrijk is None:
                term_row = self.c.rows["taxonomy_term"].get(str(term_id))
                if term_row is not None:
                    kansrijk = attribute_term_for(
                        str(term_row.data.get("taxonomy") or ""),
                        str(term_row.data.get("code") or ""),
                    )
            if kansrijk is not None:
                self._kansrijk_attribute(row, object_id, service_id, kansrijk)
                continue
            if not self.exists(TaxonomyTerm, term_id):
                self.error(
                    row, "taxonomy_term_id", _("No taxonomy term with id %(id)s.") % {"id": term_id}
                )
                continue
            if not self._first_link(
                row,
                pairs,
                (service_id, term_id),
                "taxonomy_term_id",
                _("This term is already linked to this service; skipped."),
            ):
                continue
            self._add(
                ServiceTaxonomy,
                ServiceTaxonomy(
                    id=object_id,
                    service_id=service_id,
                    taxonomy_term_id=term_id,
                    link_type=self.text(row, "link_type", ServiceTaxonomy),
                    value=str(row.data.get("value") or ""),
                ),
                row,
            )

    def _kansrijk_attribute(
        self, row: Row, object_id: uuid.UUID, service_id: uuid.UUID, term: AttributeTerm
    ) -> None:
        extras = self.extras[service_id]
        value = str(row.data.get("value") or "").strip()
        if term.taxonomy == PHASE_TAXONOMY:
            extras.phases.add(term.code)
        elif term.taxonomy == DOMAIN_TAXONOMY:
            extras.domain = term.code
        elif term.taxonomy == COST_TAXONOMY:
            extras.is_free = term.code == "free"
        elif term.taxonomy == RESPONSE_TAXONOMY:
            extras.response_time_days = self.integer(row, "value", 0, 365)
        elif term.taxonomy == TARGET_GROUP_TAXONOMY:
            extras.target_group = value[:250]
        elif term.taxonomy == DEMO_TAXONOMY:
            extras.is_demo = value.lower() not in ("false", "0", "nee", "no")
        elif term.taxonomy == REFERRAL_TAXONOMY:
            if term.code in extras.referral_methods:
                self.warning(
                    row,
                    "taxonomy_term_id",
                    _("This referral method is already given for this service; skipped."),
                )
                return
            extras.referral_methods[term.code] = ReferralMethod(
                id=object_id,
                service_id=service_id,
                method=term.code,
                instructions=value,
                contact=str(row.data.get("link_type") or "").strip()[:500],
            )

    def _finish_services(self) -> None:
        """Kansrijk fields from attributes; derived service areas; the rule 'serves somewhere'."""
        areas_by_service: dict[uuid.UUID, set[str]] = defaultdict(set)
        for area in self.objects[ServiceArea].values():
            assert isinstance(area, ServiceArea)
            areas_by_service[area.service_id].add(area.municipality_id)
        locations_by_service: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        for link in self.objects[ServiceAtLocation].values():
            assert isinstance(link, ServiceAtLocation)
            locations_by_service[link.service_id].append(link.location_id)
        outside_locations = {
            location_id
            for location_ids in locations_by_service.values()
            for location_id in location_ids
            if location_id not in self.objects[Location]
        }
        db_location_municipalities = dict(
            Location.objects.filter(id__in=outside_locations).values_list("id", "municipality_id")
        )
        for service_id, obj in self.objects[Service].items():
            assert isinstance(obj, Service)
            row = self.c.rows["service"][str(service_id)]
            extras = self.extras.get(service_id, _ServiceExtras())
            for phase, flag in PHASE_FIELDS.items():
                setattr(obj, flag, phase in extras.phases)
            obj.domain = extras.domain
            obj.response_time_days = extras.response_time_days
            obj.target_group = extras.target_group
            obj.is_demo = extras.is_demo
            obj.is_free = extras.is_free
            if obj.is_free is None and self.service_cost_amounts.get(service_id):
                amounts = self.service_cost_amounts[service_id]
                if any(amount is not None and amount > 0 for amount in amounts):
                    obj.is_free = False
                elif all(amount is not None and amount == 0 for amount in amounts):
                    obj.is_free = True
            for method in extras.referral_methods.values():
                self.objects[ReferralMethod][method.id] = method
                if row.complete:
                    self.complete[ReferralMethod].add(method.id)
            if areas_by_service.get(service_id):
                continue
            derived: dict[str, Municipality] = {}
            for location_id in locations_by_service.get(service_id, []):
                location = self.objects[Location].get(location_id)
                code = (
                    location.municipality_id
                    if isinstance(location, Location)
                    else db_location_municipalities.get(location_id)
                )
                if code and code in self.municipalities:
                    derived[code] = self.municipalities[code]
            if not derived:
                self.error(
                    row,
                    "service_areas",
                    _(
                        "The service has no service area and no location with a Dutch postcode, so it is "
                        "unclear which municipalities it serves."
                    ),
                )
                continue
            for municipality in derived.values():
                area = municipality_area(service_id, municipality)
                self.objects[ServiceArea][area.id] = area
                self.complete[ServiceArea].add(area.id)
        # Organisations are demo data when every service of theirs in this import is.
        demo_by_org: dict[uuid.UUID, list[bool]] = defaultdict(list)
        for obj in self.objects[Service].values():
            assert isinstance(obj, Service)
            if obj.organization_id:
                demo_by_org[obj.organization_id].append(obj.is_demo)
        for organization_id, obj in self.objects[Organization].items():
            assert isinstance(obj, Organization)
            flags = demo_by_org.get(organization_id)
            obj.is_demo = bool(flags) and all(flags or [])
        for location in self.objects[Location].values():
            assert isinstance(location, Location)
            organization_flags = (
                demo_by_org.get(location.organization_id) if location.organization_id else None
            )
            location.is_demo = bool(organization_flags) and all(organization_flags or [])
