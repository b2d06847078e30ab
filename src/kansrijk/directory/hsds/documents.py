"""Model instances → HSDS 3.0 documents (dicts ready for JSON).

Empty values are left out (HSDS types do not allow ``null``); the fields HSDS requires are always
present. Kansrijk's additions travel as ``attributes`` (see ``kansrijk.directory.vocabularies``).
Use the querysets of ``kansrijk.directory.selectors`` (``service_detail_queryset``,
``organization_detail_queryset``) so a document costs no extra queries.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from kansrijk.directory.models import (
    Contact,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    ReferralMethod,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceTaxonomy,
    TaxonomyTerm,
)
from kansrijk.directory.vocabularies import (
    ATTRIBUTE_TAXONOMY_DESCRIPTIONS,
    COST_TERMS,
    DEMO_TERM,
    DOMAIN_TERMS,
    PHASE_TERMS,
    REFERRAL_TERMS,
    RESPONSE_TERM,
    TARGET_GROUP_TERM,
    AttributeTerm,
    fixed_id,
)

HSDS_VERSION = "3.0"


def _value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _compact(data: dict[str, Any], *, keep: tuple[str, ...] = ()) -> dict[str, Any]:
    """Drop ``None`` and empty strings, except for the keys in ``keep``."""
    result = {}
    for key, value in data.items():
        if key in keep:
            result[key] = "" if value is None else _value(value)
        elif value is None or value == "":
            continue
        else:
            result[key] = _value(value)
    return result


def _document(obj: Any, fields: tuple[str, ...], *, keep: tuple[str, ...] = ()) -> dict[str, Any]:
    """The HSDS ``fields`` of ``obj`` that its model holds under the same names, compacted."""
    return _compact({field: getattr(obj, field) for field in fields}, keep=keep)


# --- Small objects ----------------------------------------------------------------------------------


def language_document(language: Language) -> dict[str, Any]:
    return _document(language, ("id", "name", "code", "note"))


def phone_document(phone: Phone) -> dict[str, Any]:
    data = _document(phone, ("id", "number", "extension", "type", "description"), keep=("number",))
    data["languages"] = [language_document(language) for language in phone.languages.all()]
    return data


def contact_document(contact: Contact) -> dict[str, Any]:
    data = _document(contact, ("id", "name", "title", "department", "email"))
    data["phones"] = [phone_document(phone) for phone in contact.phones.all()]
    return data


_SCHEDULE_FIELDS = (
    "id",
    "valid_from",
    "valid_to",
    "dtstart",
    "timezone",
    "until",
    "count",
    "wkst",
    "freq",
    "interval",
    "byday",
    "byweekno",
    "bymonthday",
    "byyearday",
    "description",
    "opens_at",
    "closes_at",
    "schedule_link",
    "attending_type",
    "notes",
)


def schedule_document(schedule: Schedule) -> dict[str, Any]:
    return _document(schedule, _SCHEDULE_FIELDS)


def cost_option_document(option: CostOption) -> dict[str, Any]:
    return _document(
        option,
        ("id", "valid_from", "valid_to", "option", "currency", "amount", "amount_description"),
    )


def service_area_document(area: ServiceArea) -> dict[str, Any]:
    return _compact(
        {
            "id": area.id,
            "service_id": area.service_id,
            "name": area.name or area.municipality.name,
            "description": area.description,
            "extent": area.extent or area.municipality_id,
            "extent_type": area.extent_type or "text",
            "uri": area.uri,
        }
    )


def address_document(location: Location) -> dict[str, Any] | None:
    if not (location.address_1 or location.postal_code or location.city):
        return None
    province = location.state_province
    municipality = location.municipality if location.municipality_id is not None else None
    if not province and municipality is not None:
        province = municipality.province.name
    return _compact(
        {
            "id": location.address_id or fixed_id("address", location.id),
            "location_id": location.id,
            "attention": location.address_attention,
            "address_1": location.address_1,
            "address_2": location.address_2,
            "city": location.city,
            "region": location.region,
            "state_province": province,
            "postal_code": location.postal_code,
            "country": location.country or "NL",
            "address_type": location.address_type or "physical",
        },
        keep=("address_1", "city", "state_province", "postal_code", "country", "address_type"),
    )


_LOCATION_FIELDS = (
    "id",
    "location_type",
    "url",
    "organization_id",
    "name",
    "alternate_name",
    "description",
    "transportation",
    "latitude",
    "longitude",
    "external_identifier",
    "external_identifier_type",
)


def location_document(location: Location) -> dict[str, Any]:
    data = _document(location, _LOCATION_FIELDS, keep=("location_type",))
    address = address_document(location)
    data["languages"] = [language_document(language) for language in location.languages.all()]
    data["addresses"] = [address] if address else []
    data["contacts"] = [contact_document(contact) for contact in location.contacts.all()]
    data["phones"] = [phone_document(phone) for phone in location.phones.all()]
    data["schedules"] = [schedule_document(schedule) for schedule in location.schedules.all()]
    return data


def service_at_location_document(link: ServiceAtLocation) -> dict[str, Any]:
    data = _document(link, ("id", "service_id", "location_id", "description"))
    data["contacts"] = [contact_document(contact) for contact in link.contacts.all()]
    data["phones"] = [phone_document(phone) for phone in link.phones.all()]
    data["schedules"] = [schedule_document(schedule) for schedule in link.schedules.all()]
    data["location"] = location_document(link.location)
    return data


# --- Taxonomy and attributes ------------------------------------------------------------------------


def taxonomy_term_document(term: TaxonomyTerm) -> dict[str, Any]:
    taxonomy = term.taxonomy
    return _compact(
        {
            "id": term.id,
            "code": term.code,
            "name": term.name,
            "description": term.description,
            "parent_id": term.parent_id,
            "taxonomy": taxonomy.name,
            "taxonomy_id": taxonomy.id,
            "language": term.language,
            "term_uri": term.term_uri,
        },
        keep=("name", "description"),
    ) | {
        "taxonomy_detail": _document(
            taxonomy, ("id", "name", "description", "uri", "version"), keep=("name", "description")
        )
    }


def _kansrijk_term_document(term: AttributeTerm) -> dict[str, Any]:
    description = ATTRIBUTE_TAXONOMY_DESCRIPTIONS[term.taxonomy]
    return {
        "id": str(term.id),
        "code": term.code,
        "name": term.name,
        "description": description,
        "taxonomy": term.taxonomy,
        "taxonomy_id": str(term.taxonomy_id),
        "language": "nl",
        "taxonomy_detail": {
            "id": str(term.taxonomy_id),
            "name": term.taxonomy,
            "description": description,
        },
    }


def _service_attribute(
    service: Service,
    attribute_id: uuid.UUID,
    term_id: uuid.UUID,
    term_document: dict[str, Any],
    *,
    value: str = "",
    link_type: str = "",
) -> dict[str, Any]:
    """An HSDS attribute of ``service``: its link to the taxonomy term ``term_id`` (whose
    document ``term_document`` travels along), with a value."""
    return _compact(
        {
            "id": attribute_id,
            "link_id": service.id,
            "link_type": link_type,
            "link_entity": "service",
            "taxonomy_term_id": term_id,
            "value": value,
        }
    ) | {"taxonomy_term": term_document}


def _kansrijk_attribute(
    service: Service, term: AttributeTerm, *, value: str = "", link_type: str = ""
) -> dict[str, Any]:
    return _service_attribute(
        service,
        fixed_id("attribute", service.id, term.taxonomy, term.code),
        term.id,
        _kansrijk_term_document(term),
        value=value,
        link_type=link_type,
    )


def attribute_documents(service: Service) -> list[dict[str, Any]]:
    attributes: list[dict[str, Any]] = []
    link: ServiceTaxonomy
    for link in service.taxonomy_links.all():
        attributes.append(
            _service_attribute(
                service,
                link.id,
                link.taxonomy_term_id,
                taxonomy_term_document(link.taxonomy_term),
                value=link.value,
                link_type=link.link_type,
            )
        )
    for phase in service.phases:
        attributes.append(_kansrijk_attribute(service, PHASE_TERMS[phase]))
    if service.domain:
        attributes.append(_kansrijk_attribute(service, DOMAIN_TERMS[service.domain]))
    method: ReferralMethod
    for method in service.referral_methods.all():
        attributes.append(
            _kansrijk_attribute(
                service,
                REFERRAL_TERMS[method.method],
                value=method.instructions,
                link_type=method.contact,
            )
        )
    if service.is_free is not None:
        attributes.append(_kansrijk_attribute(service, COST_TERMS[service.is_free]))
    if service.response_time_days is not None:
        attributes.append(
            _kansrijk_attribute(service, RESPONSE_TERM, value=str(service.response_time_days))
        )
    if service.target_group:
        attributes.append(
            _kansrijk_attribute(service, TARGET_GROUP_TERM, value=service.target_group)
        )
    if service.is_demo:
        attributes.append(_kansrijk_attribute(service, DEMO_TERM, value="true"))
    return attributes


# --- Organisations and services ------------------------------------------------------------------


_ORGANIZATION_FIELDS = (
    "id",
    "name",
    "alternate_name",
    "description",
    "email",
    "website",
    "tax_status",
    "tax_id",
    "year_incorporated",
    "legal_status",
    "logo",
    "uri",
    "parent_organization_id",
)


def organization_list_document(organization: Organization) -> dict[str, Any]:
    """The one-to-one fields of an organization (``/organizations`` items, nested in services)."""
    return _document(organization, _ORGANIZATION_FIELDS, keep=("name", "description"))


_SERVICE_FIELDS = (
    "id",
    "organization_id",
    "name",
    "alternate_name",
    "description",
    "url",
    "email",
    "status",
    "interpretation_services",
    "application_process",
    "fees_description",
    "wait_time",
    "accreditations",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "assured_date",
    "assurer_email",
    "licenses",
    "alert",
    "last_modified",
)


def service_list_document(service: Service) -> dict[str, Any]:
    """The one-to-one fields of a service (``/services`` items), with its organization."""
    data = _document(service, _SERVICE_FIELDS, keep=("name", "status"))
    data["organization"] = organization_list_document(service.organization)
    return data


def service_document(service: Service) -> dict[str, Any]:
    """A full HSDS service document."""
    data = service_list_document(service)
    data["phones"] = [phone_document(phone) for phone in service.phones.all()]
    data["schedules"] = [schedule_document(schedule) for schedule in service.schedules.all()]
    data["service_areas"] = [service_area_document(area) for area in service.service_areas.all()]
    data["service_at_locations"] = [
        service_at_location_document(link) for link in service.service_at_locations.all()
    ]
    data["languages"] = [language_document(language) for language in service.languages.all()]
    data["cost_options"] = [cost_option_document(option) for option in service.cost_options.all()]
    data["contacts"] = [contact_document(contact) for contact in service.contacts.all()]
    data["attributes"] = attribute_documents(service)
    return data


def organization_document(organization: Organization) -> dict[str, Any]:
    """A full HSDS organization document; ``services`` holds their one-to-one fields."""
    data = organization_list_document(organization)
    data["contacts"] = [contact_document(contact) for contact in organization.contacts.all()]
    data["phones"] = [phone_document(phone) for phone in organization.phones.all()]
    data["locations"] = [location_document(location) for location in organization.locations.all()]
    services = []
    for service in organization.services.all():
        service.organization = organization  # already loaded; avoids a query per service
        item = service_list_document(service)
        item.pop("organization", None)
        services.append(item)
    data["services"] = services
    return data
