"""import_hsds: JSON and CSV, the spec's own examples, bad files, idempotent re-import."""

from __future__ import annotations

import copy
import csv
import json
import shutil
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from kansrijk.audit.models import AccessEvent
from kansrijk.directory.hsds.importer import ImportFailed, import_hsds
from kansrijk.directory.models import (
    ChangeAction,
    ChangeSource,
    Contact,
    Language,
    Location,
    Organization,
    Phone,
    ReferralMethod,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceChange,
    ServiceTaxonomy,
    TaxonomyTerm,
)
from kansrijk.directory.search.ranking import search_services
from tests.directory.conftest import EXAMPLES, make_service_doc

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Organization,
            Service,
            Location,
            ServiceArea,
            ServiceAtLocation,
            Phone,
            Language,
            Contact,
        )
    }


def _run(path: Path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_hsds", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _fail(path: Path) -> str:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_hsds", str(path), stdout=out, stderr=err)
    assert "nothing was imported" in str(excinfo.value)
    return err.getvalue()


# --- JSON ------------------------------------------------------------------------------------------


def test_import_service_document(tmp_path: Path, need_categories: None) -> None:
    doc = make_service_doc()
    out, _ = _run(_write(tmp_path / "dienst.json", doc))
    assert "services changed: 1" in out
    service = Service.objects.get(id=doc["id"])
    assert service.organization.name == "Gemeente Smallingerland"
    assert service.phase_pregnancy
    assert not service.phase_postnatal
    assert service.is_free is True  # the only cost option is 0
    assert list(service.service_areas.values_list("municipality_id", flat=True)) == ["GM0090"]
    location = Location.objects.get()
    assert location.postcode_area_id == "9203"
    assert location.municipality_id == "GM0090"
    assert location.postal_code == "9203 AB"
    # No coordinates in the file: the PC4 centre.
    assert location.latitude == pytest.approx(53.102, abs=0.01)
    method = ReferralMethod.objects.get(service=service)
    assert method.method == "phone"
    assert method.contact == "0512 581234"
    assert ServiceTaxonomy.objects.get(service=service).taxonomy_term.code == "geldzorgen"
    assert Language.objects.get(service=service).code == "nl"
    # Searchable right away.
    assert list(search_services(text="schulden")) == [service]
    # History and audit.
    change = ServiceChange.objects.get(service_ref=service.id)
    assert change.action == ChangeAction.CREATE
    assert change.source == ChangeSource.IMPORT
    assert AccessEvent.objects.filter(
        event_type="directory.service.create", object_id=str(service.id)
    ).exists()
    assert AccessEvent.objects.filter(event_type="directory.import").exists()


def test_reimport_is_idempotent(tmp_path: Path, need_categories: None) -> None:
    path = _write(
        tmp_path / "dienst.json", [make_service_doc(), make_service_doc(name="Zwangerschapscursus")]
    )
    _run(path)
    before = _counts()
    changes = ServiceChange.objects.count()
    modified = dict(Service.objects.values_list("id", "last_modified"))
    out, _ = _run(path)
    assert _counts() == before
    assert "services changed: 0, unchanged: 2" in out
    assert ServiceChange.objects.count() == changes
    assert dict(Service.objects.values_list("id", "last_modified")) == modified


def test_reimport_updates_by_id_and_removes_what_is_gone(
    tmp_path: Path, need_categories: None
) -> None:
    doc = make_service_doc()
    _run(_write(tmp_path / "a.json", doc))
    changed = copy.deepcopy(doc)
    changed["name"] = "Schuldhulp Smallingerland"
    changed["service_areas"].append(
        {"id": "7d1c7f52-3a54-4b7e-9a57-0e0f5bb1d0aa", "extent": "GM0080", "extent_type": "text"}
    )
    changed["languages"] = []
    _run(_write(tmp_path / "b.json", changed))
    service = Service.objects.get(id=doc["id"])
    assert service.name == "Schuldhulp Smallingerland"
    assert sorted(service.service_areas.values_list("municipality_id", flat=True)) == [
        "GM0080",
        "GM0090",
    ]
    assert not service.languages.exists()
    assert Service.objects.count() == 1
    update = ServiceChange.objects.filter(service_ref=service.id, action=ChangeAction.UPDATE).get()
    assert update.changes["name"] == ["Schuldhulpverlening Drachten", "Schuldhulp Smallingerland"]
    assert update.changes["service_areas"] == [["GM0090"], ["GM0080", "GM0090"]]
    assert update.changes["languages"] == [["nl"], []]


def test_service_area_by_municipality_name(tmp_path: Path, need_categories: None) -> None:
    doc = make_service_doc(
        areas=[{"id": "0b7e5a4e-9a7e-4a8e-8d43-3fd0b1f1f3a1", "name": "Leeuwarden"}]
    )
    _run(_write(tmp_path / "a.json", doc))
    assert list(ServiceArea.objects.values_list("municipality_id", flat=True)) == ["GM0080"]


def test_service_without_area_serves_its_locations_municipality(
    tmp_path: Path, need_categories: None
) -> None:
    doc = make_service_doc(areas=[], postcode="8901 AA")
    _run(_write(tmp_path / "a.json", doc))
    area = ServiceArea.objects.get()
    assert area.municipality_id == "GM0080"
    assert area.extent == "GM0080"
    # Deterministic id: re-import does not duplicate it.
    _run(_write(tmp_path / "a.json", doc))
    assert ServiceArea.objects.count() == 1


def test_organization_document_with_services(tmp_path: Path, need_categories: None) -> None:
    service = make_service_doc()
    organization = service.pop("organization")
    organization["services"] = [service]
    _run(_write(tmp_path / "org.json", organization))
    assert Service.objects.get().organization_id is not None
    assert Organization.objects.get().name == "Gemeente Smallingerland"


def test_folder_of_json_files(tmp_path: Path, need_categories: None) -> None:
    (tmp_path / "sub").mkdir()
    _write(tmp_path / "a.json", make_service_doc())
    _write(
        tmp_path / "sub" / "b.json",
        {"total_items": 1, "contents": [make_service_doc(name="Kraamzorg")]},
    )
    _run(tmp_path)
    assert Service.objects.count() == 2


# --- Bad files --------------------------------------------------------------------------------------


def test_bad_file_reports_every_bad_row_and_changes_nothing(
    tmp_path: Path, need_categories: None
) -> None:
    good = make_service_doc()
    bad_latitude = make_service_doc(latitude=100, longitude=101)
    bad_postcode = make_service_doc(postcode="ABC 1234")
    bad_area = make_service_doc(
        areas=[
            {
                "id": "a4f3c0a6-53f3-4c3a-93a4-6c4dbd7a3a11",
                "extent": "GM9999",
                "extent_type": "text",
            }
        ]
    )
    bad_status = make_service_doc()
    bad_status["status"] = "open"
    bad_ages = make_service_doc()
    bad_ages["minimum_age"], bad_ages["maximum_age"] = 40, 12
    path = _write(
        tmp_path / "mixed.json", [good, bad_latitude, bad_postcode, bad_area, bad_status, bad_ages]
    )
    before = _counts()
    events = AccessEvent.objects.count()

    report = _fail(path)

    assert _counts() == before
    assert AccessEvent.objects.count() == events
    lines = [line for line in report.splitlines() if line.startswith("ERROR")]
    joined = "\n".join(lines)
    assert (
        "mixed.json, /1/service_at_locations/0/location, latitude: Latitude 100 is not between -90 and 90"
        in joined
    )
    assert (
        "/1/service_at_locations/0/location, longitude: Longitude 101" not in joined
    )  # 101 is a valid longitude…
    assert (
        "/2/service_at_locations/0/location/addresses/0, postal_code: ABC 1234 is not a Dutch postcode"
        in joined
    )
    assert "/3/service_areas/0, extent: GM9999 is not a municipality code" in joined
    assert "/4, status:" in joined
    assert "/5, minimum_age: The minimum age is above the maximum age" in joined
    # The good document has no issues: every line is about documents 1 to 5.
    assert all(line.split(", ")[1].split("/")[1] in {"1", "2", "3", "4", "5"} for line in lines), (
        lines
    )
    assert "Traceback" not in report


def test_import_failed_lists_issues(tmp_path: Path, places: None) -> None:
    doc = make_service_doc(category=None)
    doc["organization"] = None
    doc["service_at_locations"] = []
    doc["service_areas"] = []
    with pytest.raises(ImportFailed) as excinfo:
        import_hsds(_write(tmp_path / "x.json", doc))
    fields = {issue.field for issue in excinfo.value.errors}
    assert {"organization_id", "service_areas"} <= fields


def test_blank_names_are_required(tmp_path: Path, places: None) -> None:
    """A name of only spaces is no name: the service and its organisation are refused."""
    doc = make_service_doc()
    doc["name"] = "   "
    doc["organization"]["name"] = " "
    with pytest.raises(ImportFailed) as excinfo:
        import_hsds(_write(tmp_path / "x.json", [doc]))
    required = {
        issue.where
        for issue in excinfo.value.errors
        if issue.field == "name" and issue.reason == "This field is required."
    }
    assert required == {"/0", "/0/organization"}, excinfo.value.errors


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "Not valid JSON"),
        ('{"version": "3.0", "profile": "x", "openapi_url": "y"}', "HSDA API description"),
        ("[]", None),
    ],
)
def test_unusable_json(tmp_path: Path, places: None, content: str, expected: str | None) -> None:
    path = tmp_path / "x.json"
    path.write_text(content, encoding="utf-8")
    if expected is None:
        _out, err = _run(path)
        assert "empty list" in err
    else:
        assert expected in _fail(path)


def test_missing_path(tmp_path: Path, places: None) -> None:
    assert "No such file or folder" in _fail(tmp_path / "nope.json")


# --- The specification's own examples ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("service_full.json", "latitude: Latitude 100 is not between -90 and 90"),
        ("organization_full.json", "latitude: Latitude 100 is not between -90 and 90"),
        ("service_list.json", "unclear which municipalities it serves"),
        ("organization_list.json", "Example Organization Inc."),
        ("location.json", "This is a location document"),
        ("service_at_location_full.json", "This is a service_at_location document"),
        ("service_at_location_list.json", "This is a service_at_location document"),
        ("taxonomy.json", "This is a taxonomy document"),
        ("taxonomy_term.json", "This is a taxonomy_term document"),
        ("taxonomy_list.json", "This is a taxonomy document"),
        ("taxonomy_term_list.json", "This is a taxonomy_term document"),
        ("base.json", "This is an HSDA API description"),
        ("tabular.json", "latitude: Latitude 100 is not between -90 and 90"),
        ("csv", "locations.csv, row 2, latitude: Latitude 100 is not between -90 and 90"),
    ],
)
def test_spec_examples_are_imported_or_rejected_precisely(
    places: None, name: str, expected: str
) -> None:
    path = EXAMPLES / name
    before = _counts()
    out, err = StringIO(), StringIO()
    try:
        call_command("import_hsds", str(path), stdout=out, stderr=err)
    except CommandError:
        report = err.getvalue()
        assert "Traceback" not in report
        assert expected in report, report
        assert _counts() == before
    else:
        # Imported: only organization_list.json (organizations without services) gets here.
        assert name == "organization_list.json"
        assert Organization.objects.filter(name=expected).exists()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("base.json", "Dit is een HSDA-API-beschrijving (version, profile, openapi_url)."),
        ("location.json", "Dit is een location-document (locatie)."),
        ("taxonomy.json", "Dit is een taxonomy-document (taxonomie)."),
    ],
)
def test_what_cannot_be_imported_is_named_in_dutch(places: None, name: str, expected: str) -> None:
    from django.utils import translation

    err = StringIO()
    with translation.override("nl"), pytest.raises(CommandError):
        call_command("import_hsds", str(EXAMPLES / name), stdout=StringIO(), stderr=err)
    assert expected in err.getvalue(), err.getvalue()


def test_spec_service_example_imports_once_located_in_the_netherlands(
    tmp_path: Path, places: None
) -> None:
    """Apart from its non-Dutch place, the spec's full service document is accepted."""
    doc = json.loads((EXAMPLES / "service_full.json").read_text())
    for link in doc["service_at_locations"]:
        location = link["location"]
        location["latitude"], location["longitude"] = 53.10, 6.10
        for address in location["addresses"]:
            address.update(postal_code="9203 AB", country="NL", address_type="physical")
    for location in doc["organization"]["locations"]:
        location["latitude"], location["longitude"] = 53.10, 6.10
        for address in location["addresses"]:
            address.update(postal_code="9203 AB", country="NL", address_type="physical")
    doc["service_areas"][0].update(extent="GM0090", extent_type="text")
    # The attribute's taxonomy term names a parent that does not exist: a warning, not an error.
    _, err = _run(_write(tmp_path / "service_full_nl.json", doc))
    assert "Unknown parent term" in err
    service = Service.objects.get(id=doc["id"])
    assert service.name == "Community Counselling"
    assert service.minimum_age == 12
    # One phone id is used under the service, its location, contact and organisation: one row.
    phone = Phone.objects.get()
    assert phone.service_id == service.id
    assert phone.location_id is not None
    assert phone.contact_id is not None
    assert phone.organization_id is not None
    assert phone.number == "+44 1234 234567"
    assert TaxonomyTerm.objects.filter(code="code").exists()


def _edit_csv(folder: Path, name: str, **changes: str) -> None:
    with (folder / name).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row.update(changes)
    with (folder / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _fix_spec_csv_package(folder: Path) -> None:
    """The specification's CSV example, placed in the Netherlands and linked up."""
    _edit_csv(
        folder,
        "locations.csv",
        latitude="53.1",
        longitude="6.1",
        organization_id="d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610",
    )
    _edit_csv(folder, "addresses.csv", postal_code="9203 AB", country="NL", address_type="physical")
    _edit_csv(folder, "service_areas.csv", extent="GM0090", extent_type="text")
    _edit_csv(
        folder,
        "contacts.csv",
        organization_id="d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610",
        service_at_location_id="e94c9f38-1e8f-4564-91d4-d53501ab1765",
    )
    _edit_csv(
        folder,
        "attributes.csv",
        link_id="ac148810-d857-441c-9679-408f346de14b",
        link_entity="service",
    )


def test_spec_csv_package_imports_once_fixed(tmp_path: Path, places: None) -> None:
    folder = tmp_path / "csv"
    shutil.copytree(EXAMPLES / "csv", folder)

    with translation.override("en"):
        report = _fail(folder)
    # Every bad row of the package, not only the first one.
    for expected in (
        "locations.csv, row 2, latitude: Latitude 100",
        "locations.csv, row 2, organization_id: No organisation with id 985e4a42",
        "addresses.csv, row 2, postal_code: ABC 1234 is not a Dutch postcode",
        "service_areas.csv, row 2, extent_type: Service areas of type geojson are not supported",
        "contacts.csv, row 2, organization_id: No organisation (social map) with id ae67a707",
        "contacts.csv, row 2, service_at_location_id: No service at location with id 93eaf18d",
        "services.csv, row 2, service_areas: The service has no service area",
    ):
        assert expected in report, report
    assert "datapackage.json" in report  # not usable: said as a warning

    _fix_spec_csv_package(folder)
    out, _err = _run(folder)
    assert "services changed: 1" in out
    service = Service.objects.get(id="ac148810-d857-441c-9679-408f346de14b")
    assert service.service_areas.get().municipality_id == "GM0090"
    assert service.service_at_locations.get().location.municipality_id == "GM0090"
    assert service.taxonomy_links.get().taxonomy_term.name == "name"
    assert "Not stored" in out
    assert "funding (1)" in out

    # And again: nothing new.
    out, _ = _run(folder)
    assert "services changed: 0, unchanged: 1" in out
    assert Service.objects.count() == 1


def test_dry_run_rolls_back(tmp_path: Path, need_categories: None) -> None:
    out = StringIO()
    call_command(
        "import_hsds", str(_write(tmp_path / "a.json", make_service_doc())), "--dry-run", stdout=out
    )
    assert "Dry run" in out.getvalue()
    assert not Service.objects.exists()


def test_progress_output(tmp_path: Path, need_categories: None) -> None:
    out = StringIO()
    call_command(
        "import_hsds",
        str(_write(tmp_path / "a.json", make_service_doc())),
        "--progress",
        stdout=out,
    )
    assert "services" in out.getvalue()
    assert "1/1" in out.getvalue()


# --- Limits, formulas, Dutch addresses (issue 12, point 6) ------------------------------------------


def test_a_json_file_nested_a_thousand_levels_ends_in_a_message(
    tmp_path: Path, places: None
) -> None:
    for name, text in (
        ("lists.json", "[" * 1000 + "]" * 1000),
        ("objects.json", '{"a":' * 1000 + "1" + "}" * 1000),
        ("just_too_deep.json", "[" * 65 + "]" * 65),
    ):
        report = _fail(_write_text(tmp_path / name, text))
        assert f"{name}, -, -: The JSON is nested more than 64 levels deep" in report, report
        assert "Traceback" not in report


def _write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    tmp_path: Path, places: None, settings: Any
) -> None:
    settings.IMPORT_MAX_FILE_MB = 1
    path = _write(tmp_path / "big.json", [make_service_doc(description="x" * 600_000)] * 2)
    report = _fail(path)
    assert "big.json, -, -: The file is 1.1 MB; at most 1.0 MB can be imported" in report
    assert not Service.objects.exists()


def test_an_oversized_field_is_named_with_its_row(
    tmp_path: Path, need_categories: None, settings: Any
) -> None:
    settings.IMPORT_MAX_FIELD_CHARS = 1000
    good = make_service_doc()
    bad = make_service_doc(description="x" * 5000)
    report = _fail(_write(tmp_path / "two.json", [good, bad]))
    assert "two.json, /1, description: This value is 5000 characters long; at most 1000" in report
    assert not Service.objects.exists()


def test_an_oversized_csv_field_is_named_with_its_row(
    tmp_path: Path, places: None, settings: Any
) -> None:
    """Larger than the csv module's own 128 KB limit, which would refuse the whole file."""
    folder = tmp_path / "csv"
    shutil.copytree(EXAMPLES / "csv", folder)
    with (folder / "services.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["description"] = "x" * 200_000
    with (folder / "services.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    report = _fail(folder)
    assert "services.csv, row 2, description: This value is 200000 characters long" in report


def test_formula_like_values_are_flagged_but_numbers_and_phone_numbers_are_not(
    tmp_path: Path, need_categories: None
) -> None:
    doc = make_service_doc(name='=HYPERLINK("https://example.org","Schuldhulp")')
    doc["service_at_locations"][0]["location"]["phones"][0]["number"] = "+31 512 581234"
    _out, err = _run(_write(tmp_path / "formula.json", doc))
    flagged = [line for line in err.splitlines() if "run it as a formula" in line]
    assert flagged == [
        "warning: formula.json, /, name: Starts with '=', so a spreadsheet program would run it "
        "as a formula. It is imported and shown as text, and written as text in every export; "
        "check that it is what you meant."
    ]
    assert Service.objects.get().name.startswith("=HYPERLINK")


def test_dutch_addresses_without_a_province_take_it_from_the_postcode(
    tmp_path: Path, need_categories: None
) -> None:
    docs = [make_service_doc(), make_service_doc(postcode="8911 AA")]
    for doc in docs:
        for link in doc["service_at_locations"]:
            for address in link["location"]["addresses"]:
                del address["state_province"]
    _out, err = _run(_write(tmp_path / "nl.json", docs))
    assert (
        "warning: nl.json, -, state_province: 2 addresses have no province (state_province): it "
        "is taken from their postcode" in err
    ), err
    assert sorted(Location.objects.values_list("state_province", flat=True)) == [
        "Fryslân",
        "Fryslân",
    ]


def test_an_address_without_province_or_postcode_is_refused(
    tmp_path: Path, need_categories: None
) -> None:
    doc = make_service_doc()
    address = doc["service_at_locations"][0]["location"]["addresses"][0]
    del address["state_province"]
    del address["postal_code"]
    report = _fail(_write(tmp_path / "nothing.json", doc))
    assert "state_province: Fill in the province (state_province), or a Dutch postcode" in report


def test_a_csv_package_without_provinces_is_accepted(tmp_path: Path, places: None) -> None:
    folder = tmp_path / "csv"
    shutil.copytree(EXAMPLES / "csv", folder)
    _fix_spec_csv_package(folder)
    with (folder / "addresses.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    fields = [name for name in rows[0] if name != "state_province"]
    with (folder / "addresses.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    out, err = _run(folder)
    assert "services changed: 1" in out
    assert "addresses.csv, -, state_province: 1 address has no province" in err
    assert Location.objects.get().state_province == "Fryslân"
