"""export_hsds: the documents validate against the HSDS 3.0 compiled schemas and import back."""

from __future__ import annotations

import datetime
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from jsonschema import Draft202012Validator, FormatChecker

from kansrijk.core.languages import dutch_language_name
from kansrijk.directory.hsds import schemas
from kansrijk.directory.hsds.documents import (
    organization_document,
    organization_list_document,
    service_document,
    service_list_document,
)
from kansrijk.directory.models import (
    CostOption,
    Language,
    Phone,
    ReferralMethod,
    Schedule,
    Service,
    ServiceArea,
    ServiceStatus,
    ServiceTaxonomy,
)
from kansrijk.directory.selectors import get_organization, get_service, organization_detail_queryset
from tests.directory.factories import ServiceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(schemas.load_schema(name), format_checker=FormatChecker())


@pytest.fixture
def rich_service(places: None, need_categories: None) -> Service:
    service = ServiceFactory(
        name="Prenataal huisbezoek",
        municipalities=["GM0090", "GM0080"],
        postcode="9203",
        categories=["zwangerschap-en-geboorte", "stress"],
        languages=["nl", "ar"],
        referral_methods=["phone", "zorgdomein"],
        phase_pregnancy=True,
        is_free=True,
        response_time_days=5,
        target_group="Zwangere vrouwen in een kwetsbare situatie",
        minimum_age=16,
        assured_date=datetime.date(2026, 1, 5),
        url="https://jgz.example.org/phb",
        email="phb@example.org",
        is_demo=True,
    )
    Phone.objects.create(service=service, number="088 229 9222", type="voice")
    CostOption.objects.create(service=service, option="Gratis", amount=0)
    Schedule.objects.create(
        service=service,
        byday="MO,TU",
        freq="WEEKLY",
        opens_at=datetime.time(9),
        closes_at=datetime.time(17),
    )
    return service


def test_service_document_validates(rich_service: Service) -> None:
    document = service_document(get_service(rich_service.id))
    errors = list(_validator("service_with_definitions.json").iter_errors(document))
    assert errors == [], [error.message for error in errors]
    assert document["status"] == "active"
    assert {area["extent"] for area in document["service_areas"]} == {"GM0090", "GM0080"}
    location = document["service_at_locations"][0]["location"]
    assert location["addresses"][0]["postal_code"] == "9203 AB"
    assert location["addresses"][0]["state_province"] == "Fryslân"
    attribute_taxonomies = {
        attribute["taxonomy_term"]["taxonomy"] for attribute in document["attributes"]
    }
    assert {
        "Kansrijke Start hulpvraag",
        "kansrijk-fase",
        "kansrijk-verwijzing",
        "kansrijk-kosten",
        "kansrijk-demo",
    } <= attribute_taxonomies


def test_list_documents_validate(rich_service: Service) -> None:
    service = Service.objects.select_related("organization").get()
    assert list(_validator("service_list.json").iter_errors(service_list_document(service))) == []
    assert (
        list(
            _validator("organization_list.json").iter_errors(
                organization_list_document(service.organization)
            )
        )
        == []
    )


def test_organization_document_validates(rich_service: Service) -> None:
    document = organization_document(get_organization(rich_service.organization_id))
    assert list(schemas.organization_validator().iter_errors(document)) == []
    assert document["services"][0]["name"] == "Prenataal huisbezoek"
    assert organization_detail_queryset().count() == 1


def test_export_command_list_validates_and_roundtrips(
    rich_service: Service, tmp_path: Path
) -> None:
    ServiceFactory(name="Opgeheven", status=ServiceStatus.DEFUNCT)
    path = tmp_path / "export.json"
    out = StringIO()
    call_command("export_hsds", str(path), stdout=out)
    assert "Exported 1 services" in out.getvalue()
    documents = json.loads(path.read_text())
    assert isinstance(documents, list)
    assert len(documents) == 1
    validator = _validator("service_with_definitions.json")
    for document in documents:
        assert list(validator.iter_errors(document)) == []

    # Spoil the service, import the export back: the same document again.
    before = service_document(get_service(rich_service.id))
    Service.objects.update(
        name="Anders", phase_pregnancy=False, is_free=None, response_time_days=None, target_group=""
    )
    for model in (ServiceArea, ReferralMethod, Language, ServiceTaxonomy):
        model.objects.all().delete()
    call_command("import_hsds", str(path), stdout=StringIO())
    after = service_document(get_service(rich_service.id))
    for document in (before, after):
        document.pop("last_modified")
    assert after == before


def test_export_command_folder(rich_service: Service, tmp_path: Path) -> None:
    call_command(
        "export_hsds", str(tmp_path / "dump"), "--municipality", "GM0080", stdout=StringIO()
    )
    files = list((tmp_path / "dump").glob("*.json"))
    assert [file.stem for file in files] == [str(rich_service.id)]
    call_command(
        "export_hsds", str(tmp_path / "none"), "--municipality", "GM0014", stdout=StringIO()
    )
    assert not list((tmp_path / "none").glob("*.json"))


def test_language_names_are_dutch() -> None:
    assert dutch_language_name("ar") == "Arabisch"
