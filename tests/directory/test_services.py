"""Writes: editable_by, create/update/verify with history and access log, bad input changes nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kansrijk.accounts.models import RoleAssignment, User
from kansrijk.accounts.roles import Role
from kansrijk.audit.models import AccessEvent
from kansrijk.directory.exceptions import EditNotAllowed, InvalidServiceData
from kansrijk.directory.models import ChangeAction, Service, ServiceChange, ServiceStatus
from kansrijk.directory.search.ranking import search_services
from kansrijk.directory.services import (
    create_service,
    save_location,
    set_service_locations,
    update_service,
    verify_service,
)
from kansrijk.directory.vocabularies import need_term_id
from tests.directory.factories import DirectoryOrganizationFactory, ServiceFactory
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _editor(*codes: str):  # type: ignore[no-untyped-def]
    user = UserFactory()
    assignment = RoleAssignment.objects.create(
        user=user, role=Role.COALITION_EDITOR, organisation=user.organisation
    )
    assignment.municipalities.set(codes)
    return user


# --- editable_by -----------------------------------------------------------------------------------


def test_editable_by(places: None) -> None:
    in_drachten = ServiceFactory(municipalities=["GM0090"])
    regional = ServiceFactory(municipalities=["GM0080", "GM0090"])
    in_leeuwarden = ServiceFactory(municipalities=["GM0080"])
    editor = _editor("GM0090")
    assert set(Service.objects.editable_by(editor)) == {in_drachten, regional}
    # An administrator: the services of their organisations and municipalities.
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    assert not Service.objects.editable_by(admin).exists()
    admin.organisation.municipalities.add("GM0090")
    admin = User.objects.get(pk=admin.pk)  # (a new request: the scope is computed anew)
    assert set(Service.objects.editable_by(admin)) == {in_drachten, regional}
    in_leeuwarden.organization.account_organisation = admin.organisation
    in_leeuwarden.organization.save()
    assert Service.objects.editable_by(admin).count() == 3
    # The operator: everything.
    operator = UserFactory(is_superuser=True)
    assert Service.objects.editable_by(operator).count() == 3
    professional = UserFactory(roles=[Role.PROFESSIONAL])
    assert not Service.objects.editable_by(professional).exists()
    assert not Service.objects.editable_by(None).exists()
    # A coordinator's municipalities do not give editing rights.
    coordinator = UserFactory()
    assignment = RoleAssignment.objects.create(
        user=coordinator, role=Role.COALITION_COORDINATOR, organisation=coordinator.organisation
    )
    assignment.municipalities.set(["GM0080"])
    assert not Service.objects.editable_by(coordinator).exists()
    assert in_leeuwarden not in Service.objects.editable_by(editor)


# --- create, update, verify --------------------------------------------------------------------------


def test_create_service_writes_history_and_audit(places: None, need_categories: None) -> None:
    editor = _editor("GM0090")
    service = create_service(
        user=editor,
        organization=DirectoryOrganizationFactory(name="Sociaal Team"),
        fields={"name": "Schuldhulpverlening", "phase_pregnancy": True, "response_time_days": 5},
        service_areas=["GM0090"],
        categories=[need_term_id("geldzorgen")],
        referral_methods=[
            {
                "method": "secure_mail",
                "contact": "schuld@zorgmail.nl",
                "instructions": "Via ZorgMail.",
            }
        ],
        languages=["nl", "AR"],
    )
    assert service.phases == ["pregnancy"]
    assert sorted(service.languages.values_list("code", flat=True)) == ["ar", "nl"]
    change = ServiceChange.objects.get(service=service)
    assert change.action == ChangeAction.CREATE
    assert change.user == editor
    assert change.changes["name"] == [None, "Schuldhulpverlening"]
    assert change.changes["service_areas"] == [None, ["GM0090"]]
    event = AccessEvent.objects.get(event_type="directory.service.create")
    assert event.object_id == str(service.id)
    assert event.user == editor
    assert list(search_services(text="schulden")) == [service]


def test_editor_cannot_create_outside_their_municipalities(places: None) -> None:
    editor = _editor("GM0090")
    with pytest.raises(EditNotAllowed):
        create_service(
            user=editor,
            organization=DirectoryOrganizationFactory(),
            fields={"name": "X"},
            service_areas=["GM0080"],
        )
    assert not Service.objects.exists()
    assert not ServiceChange.objects.exists()


def test_update_service_records_what_changed(places: None) -> None:
    service = ServiceFactory(name="Oud", municipalities=["GM0090"])
    editor = _editor("GM0090")
    change = update_service(
        service=service,
        user=editor,
        fields={"name": "Nieuw", "status": ServiceStatus.TEMPORARILY_CLOSED},
        service_areas=["GM0090", "GM0080"],
    )
    assert change is not None
    assert change.changes == {
        "name": ["Oud", "Nieuw"],
        "status": ["active", "temporarily closed"],
        "service_areas": [["GM0090"], ["GM0080", "GM0090"]],
    }
    service.refresh_from_db()
    assert service.name == "Nieuw"
    assert (
        AccessEvent.objects.filter(
            event_type="directory.service.update", object_id=str(service.id)
        ).count()
        == 1
    )
    # Nothing changed: no history, no log.
    assert update_service(service=service, user=editor, fields={"name": "Nieuw"}) is None
    assert ServiceChange.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "kwargs", "field"),
    [
        ({"name": ""}, {}, "name"),
        ({"minimum_age": 30, "maximum_age": 12}, {}, "__all__"),
        ({"status": "gesloten"}, {}, "status"),
        ({"email": "geen-adres"}, {}, "email"),
        ({"search_text": "x"}, {}, "search_text"),
        ({}, {"service_areas": ["GM9999"]}, "service_areas"),
        ({}, {"service_areas": []}, "service_areas"),
        ({}, {"referral_methods": [{"method": "fax"}]}, "referral_methods"),
        ({}, {"categories": ["geen-uuid"]}, "categories"),
        ({}, {"languages": ["nederlands!"]}, "languages"),
    ],
)
def test_update_with_bad_input_changes_nothing(
    places: None, fields: dict, kwargs: dict, field: str
) -> None:
    service = ServiceFactory(name="Origineel", municipalities=["GM0090"])
    editor = _editor("GM0090")
    with pytest.raises(InvalidServiceData) as excinfo:
        update_service(service=service, user=editor, fields=fields, **kwargs)
    assert field in excinfo.value.message_dict
    service.refresh_from_db()
    assert service.name == "Origineel"
    assert list(service.service_areas.values_list("municipality_id", flat=True)) == ["GM0090"]
    assert not ServiceChange.objects.exists()
    assert not AccessEvent.objects.filter(event_type__startswith="directory.").exists()


def test_update_reads_collections_in_a_fixed_number_of_queries(places: None) -> None:
    """A save's queries do not grow with the municipalities and referral methods it names (a
    query per municipality made an editor's save of a regional service ~80 queries), and a
    collection that stays as it was is read, not deleted and written again."""
    codes = ["GM0090", "GM0080", "GM0599", "GM0363"]
    editor = _editor(*codes)
    methods = [
        {"method": "phone", "contact": "0512 000000", "instructions": "Bel"},
        {"method": "secure_mail", "contact": "a@zorgmail.nl"},
    ]

    def save(service: Service, n: int, **kwargs: Any) -> int:
        with CaptureQueriesContext(connection) as queries:
            update_service(service=service, user=editor, fields={"name": f"Dienst {n}"}, **kwargs)
        return len(queries)

    one = ServiceFactory(municipalities=codes[:1])
    many = ServiceFactory(municipalities=codes)
    kwargs = {"service_areas": codes[:1], "referral_methods": methods[:1], "languages": ["nl"]}
    save(one, 0, **kwargs)
    queries_one = save(one, 1, **kwargs)
    kwargs = {"service_areas": codes, "referral_methods": methods, "languages": ["nl", "ar"]}
    save(many, 0, **kwargs)
    assert save(many, 1, **kwargs) == queries_one
    # What changes is written, and only that.
    methods[0]["contact"] = "0512 111111"
    update_service(
        service=many,
        user=editor,
        service_areas=codes[1:],
        referral_methods=[methods[0], {"method": "referral_form", "contact": "https://x.nl"}],
        languages=["ar", "tr"],
    )
    assert sorted(many.service_areas.values_list("municipality_id", flat=True)) == sorted(codes[1:])
    assert sorted(many.referral_methods.values_list("method", "contact")) == [
        ("phone", "0512 111111"),
        ("referral_form", "https://x.nl"),
    ]
    assert sorted(many.languages.values_list("code", flat=True)) == ["ar", "tr"]
    change = ServiceChange.objects.filter(service=many).order_by("changed_at").last()
    assert change is not None
    assert set(change.changes) == {"service_areas", "referral_methods", "languages"}


def test_error_messages_are_translated(places: None) -> None:
    service = ServiceFactory(municipalities=["GM0090"])
    editor = _editor("GM0090")
    with translation.override("nl"), pytest.raises(InvalidServiceData) as excinfo:
        update_service(service=service, user=editor, service_areas=["GM9999"])
    assert "is geen gemeente" in excinfo.value.message_dict["service_areas"][0]


def test_editor_cannot_move_a_service_out_of_their_area(places: None) -> None:
    service = ServiceFactory(municipalities=["GM0090"])
    with pytest.raises(EditNotAllowed):
        update_service(service=service, user=_editor("GM0090"), service_areas=["GM0080"])
    assert list(service.service_areas.values_list("municipality_id", flat=True)) == ["GM0090"]


def test_other_users_cannot_edit(places: None) -> None:
    service = ServiceFactory(municipalities=["GM0090"])
    with pytest.raises(EditNotAllowed):
        update_service(service=service, user=_editor("GM0080"), fields={"name": "X"})
    with pytest.raises(EditNotAllowed):
        verify_service(service=service, user=UserFactory(roles=[Role.PROFESSIONAL]))


def test_verify_service(places: None) -> None:
    service = ServiceFactory(municipalities=["GM0090"])
    assert service.needs_verification
    editor = _editor("GM0090")
    with time_machine.travel(datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC)):
        change = verify_service(service=service, user=editor)
        service.refresh_from_db()
        assert service.assured_date == datetime.date(2026, 3, 1)
        assert not service.needs_verification
        assert not Service.objects.needing_verification().filter(pk=service.pk).exists()
    assert change.action == ChangeAction.VERIFY
    assert change.changes["assured_date"] == [None, "2026-03-01"]
    assert AccessEvent.objects.filter(event_type="directory.service.verify").exists()
    with time_machine.travel(datetime.datetime(2027, 3, 2, 12, tzinfo=datetime.UTC)):
        assert service.needs_verification
        assert Service.objects.needing_verification().filter(pk=service.pk).exists()


def test_save_location_derives_from_postcode(places: None) -> None:
    editor = _editor("GM0090")
    service = ServiceFactory(municipalities=["GM0090"], postcode=None)
    location = save_location(
        user=editor,
        organization=service.organization,
        fields={
            "name": "Wijkcentrum",
            "address_1": "Noorderdwarsvaart 1",
            "postal_code": "9202 aa",
        },
    )
    assert location.municipality_id == "GM0090"
    assert location.latitude is not None
    set_service_locations(service=service, user=editor, locations=[location])
    assert service.service_at_locations.get().location == location
    with pytest.raises(EditNotAllowed):
        save_location(
            user=editor, organization=service.organization, fields={"postal_code": "8901"}
        )
    with pytest.raises(InvalidServiceData):
        save_location(
            user=editor, organization=service.organization, fields={"postal_code": "ABCD"}
        )
