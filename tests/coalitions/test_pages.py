"""The workspace pages: who sees what (coordinator, analyst, editor, member, another coalition's
users), the writes with their bad input, and the access log."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kansrijk.accounts.models import Organisation
from kansrijk.accounts.roles import Role
from kansrijk.assessments import services as assessments
from kansrijk.assessments.services import AnswerInput
from kansrijk.audit.models import AccessEvent
from kansrijk.coalitions import services
from kansrijk.coalitions.models import (
    ActionStatus,
    Agreement,
    ContactPerson,
    ImprovementAction,
    Journey,
    Member,
)
from tests.coalitions.conftest import closes
from tests.conftest import _login_verified as login

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def pages(ws: Any) -> dict[str, str]:
    pk = ws.coalition.pk
    return {
        "overview": reverse("coalitions:overview", args=[pk]),
        "members": reverse("coalitions:members", args=[pk]),
        "agreements": reverse("coalitions:agreements", args=[pk]),
        "agreement_new": reverse("coalitions:agreement_new", args=[pk]),
        "actions": reverse("coalitions:actions", args=[pk]),
        "action_new": reverse("coalitions:action_new", args=[pk]),
        "journeys": reverse("coalitions:journeys", args=[pk]),
        "journey": reverse("coalitions:journey", args=[pk, "pregnancy"]),
        "network": reverse("coalitions:network", args=[pk]),
        "rounds": reverse("assessments:rounds", args=[pk]),
        "round_new": reverse("assessments:round_new", args=[pk]),
    }


MANAGE = {"members", "agreement_new", "action_new", "journey", "round_new"}


def test_the_coordinator_sees_every_page(client: Client, workspace: Any) -> None:
    login(client, workspace.coordinator)
    for name, url in pages(workspace).items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert (
            response["Cache-Control"].startswith("max-age=0")
            or "no-store" in response["Cache-Control"]
        ), name


def test_the_analyst_reads_but_does_not_manage(client: Client, workspace: Any) -> None:
    login(client, workspace.analyst)
    for name, url in pages(workspace).items():
        assert client.get(url).status_code == (403 if name in MANAGE else 200), name
    denied = AccessEvent.objects.filter(event_type="coalitions.page", outcome="denied")
    assert denied.count() == len(MANAGE)
    assert set(denied.values_list("role", flat=True)) == {"analyst"}


@pytest.mark.parametrize("who", ["editor", "midwife", "outsider", "outsider_member"])
def test_others_do_not_see_the_workspace(client: Client, workspace: Any, who: str) -> None:
    login(client, getattr(workspace, who))
    expected = 403 if who in {"editor", "midwife"} else 404
    for name, url in pages(workspace).items():
        assert client.get(url).status_code == expected, (who, name)
    assert AccessEvent.objects.filter(outcome="denied").count() == len(pages(workspace))


def test_anonymous_visitors_are_sent_to_log_in(client: Client, workspace: Any) -> None:
    response = client.get(pages(workspace)["overview"])
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_coalition_list_goes_straight_to_the_only_one(client: Client, workspace: Any) -> None:
    login(client, workspace.coordinator)
    response = client.get(reverse("coalitions:list"))
    assert response.status_code == 302
    assert response["Location"] == pages(workspace)["overview"]
    login(client, workspace.midwife)
    assert (
        "You do not coordinate or analyse a coalition"
        in client.get(reverse("coalitions:list")).content.decode()
    )


def test_adding_a_member_and_a_contact(client: Client, workspace: Any) -> None:
    login(client, workspace.coordinator)
    other = Organisation.objects.create(name="Kraamzorg Drachten", kind="medical")
    other.municipalities.set(workspace.coalition.municipalities.all())
    url = pages(workspace)["members"]
    assert "Kraamzorg Drachten" in client.get(url).content.decode()
    response = client.post(
        url, {"member-organisation": other.pk, "member-domain": "medical", "member-role": "partner"}
    )
    assert response.status_code == 302
    member = Member.objects.get(coalition=workspace.coalition, organisation=other)
    response = client.post(
        response["Location"],
        {
            "form": "contact",
            "contact-name": "Els de Wit",
            "contact-email": "els@example.org",
            "contact-phone": "0512 123456",
        },
    )
    assert response.status_code == 302
    assert member.contacts.get().name == "Els de Wit"
    # A new organisation by name: made in Kansrijk, without users, in the coalition's area.
    response = client.post(
        url, {"member-new_organisation_name": "Home-Start Drachten", "member-domain": "informal"}
    )
    assert response.status_code == 302
    made = Organisation.objects.get(name="Home-Start Drachten")
    assert made.kind == "informal"
    assert list(made.municipalities.values_list("code", flat=True)) == ["GM0090"]
    events = set(AccessEvent.objects.values_list("event_type", flat=True))
    assert {
        "coalitions.member.create",
        "coalitions.contact.create",
        "coalitions.member.list",
    } <= events


@pytest.mark.parametrize(
    "data",
    [
        {"member-domain": "medical"},
        {"member-organisation": "999999", "member-domain": "medical"},
        {"member-new_organisation_name": "Nieuw", "member-domain": "ruimtevaart"},
        {"member-new_organisation_name": "x" * 201, "member-domain": "social"},
    ],
)
def test_bad_members_change_nothing(client: Client, workspace: Any, data: dict[str, str]) -> None:
    login(client, workspace.coordinator)
    before = Member.objects.count()
    response = client.post(pages(workspace)["members"], data)
    assert response.status_code == 400
    assert Member.objects.count() == before
    assert not Organisation.objects.filter(name="Nieuw").exists()


def test_bad_contacts_change_nothing(client: Client, workspace: Any) -> None:
    login(client, workspace.coordinator)
    member = workspace.coalition.members.first()
    url = reverse("coalitions:member", args=[workspace.coalition.pk, member.pk])
    for data in (
        {"form": "contact"},
        {"form": "contact", "contact-name": "A", "contact-email": "geen"},
        {"form": "contact", "contact-name": "A", "contact-phone": "bel me"},
    ):
        assert client.post(url, data).status_code == 400
    assert not ContactPerson.objects.exists()


def test_agreements_with_a_document_and_a_review_date(client: Client, workspace: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, workspace.coordinator)
    today = timezone.localdate()
    members = list(workspace.coalition.members.values_list("pk", flat=True))
    response = client.post(
        pages(workspace)["agreement_new"],
        {
            "title": "Convenant",
            "parties": members[:2],
            "review_on": (today - datetime.timedelta(days=1)).isoformat(),
            "document": SimpleUploadedFile("convenant.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert agreement.document_name == "convenant.pdf"
    assert agreement.parties.count() == 2
    listing = client.get(pages(workspace)["agreements"]).content.decode()
    assert "review overdue" in listing
    download = client.get(
        reverse("coalitions:agreement_document", args=[workspace.coalition.pk, agreement.pk])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content if download.streaming else [download.content]) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="convenant.pdf"'
    # The analyst reads the agreements and the document; another coalition does not.
    login(client, workspace.analyst)
    assert client.get(pages(workspace)["agreements"]).status_code == 200
    login(client, workspace.outsider)
    assert (
        client.get(
            reverse("coalitions:agreement_document", args=[workspace.coalition.pk, agreement.pk])
        ).status_code
        == 404
    )


def test_a_document_keeps_a_name_with_accents_when_downloaded(
    client: Client, workspace: Any
) -> None:
    """A name that is not plain ASCII goes out as RFC 6266's ``filename*`` (UTF-8), which every
    browser reads, not as raw bytes in the header."""
    from urllib.parse import unquote

    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, workspace.coordinator)
    name = "afspraken Súdwest-Fryslân.pdf"
    client.post(
        pages(workspace)["agreement_new"],
        {
            "title": "Convenant",
            "review_on": timezone.localdate().isoformat(),
            "document": SimpleUploadedFile(name, PDF, content_type="application/pdf"),
        },
    )
    agreement = Agreement.objects.get()
    download = client.get(
        reverse("coalitions:agreement_document", args=[workspace.coalition.pk, agreement.pk])
    )
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert unquote(disposition.removeprefix("attachment; filename*=utf-8''")) == (
        agreement.document_name
    )
    assert "Fryslân" in agreement.document_name


@pytest.mark.parametrize(
    ("name", "content"),
    [("convenant.exe", b"MZ..."), ("convenant.pdf", b"<html>not a pdf</html>"), ("leeg.pdf", b"")],
)
def test_agreement_documents_must_be_documents(
    client: Client, workspace: Any, name: str, content: bytes
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, workspace.coordinator)
    response = client.post(
        pages(workspace)["agreement_new"],
        {
            "title": "Convenant",
            "review_on": timezone.localdate().isoformat(),
            "document": SimpleUploadedFile(name, content),
        },
    )
    assert response.status_code == 400
    assert not Agreement.objects.exists()


def test_actions_from_a_result_with_history_and_on_the_pathway(
    client: Client, workspace: Any
) -> None:
    from kansrijk.situations.services import load_catalogue
    from tests.pathways.conftest import make_pathway

    load_catalogue()
    pathway = make_pathway(workspace.coalition, situation="geldzorgen", title="Geldzorgen Drachten")
    round_, _links = assessments.open_round(
        user=workspace.coordinator,
        coalition=workspace.coalition,
        instrument_version=workspace.instrument,
        closes_on=closes(),
        respondents=[workspace.midwife],
    )
    login(client, workspace.coordinator)
    new = client.get(pages(workspace)["action_new"], {"ronde": round_.pk, "stelling": "S01"})
    assert "Partners weten elkaar te vinden." in new.content.decode()
    statement = round_.instrument_version.statements.get(code="S01")
    response = client.post(
        pages(workspace)["action_new"],
        {
            "title": "Kennismaking verloskundigen en sociaal team",
            "due_on": (timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
            "status": "open",
            "round": round_.pk,
            "statements": [statement.pk],
            "pathways": [pathway.pk],
            "organisation": workspace.orgs["gemeente"].pk,
            "person": "Anna",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    action = ImprovementAction.objects.get()
    listing = client.get(pages(workspace)["actions"]).content.decode()
    assert "overdue" in listing
    response = client.post(
        response["Location"],
        {
            "title": action.title,
            "due_on": action.due_on.isoformat(),
            "status": "in_progress",
            "round": round_.pk,
            "statements": [statement.pk],
            "pathways": [pathway.pk],
            "organisation": workspace.orgs["gemeente"].pk,
            "person": "Anna",
            "note": "Afspraak gepland.",
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    changes = list(action.changes.order_by("changed_at", "pk"))
    assert len(changes) == 2
    # The first row holds the new action's fields that say something, each from "".
    assert changes[0].changes["title"] == ["", "Kennismaking verloskundigen en sociaal team"]
    assert changes[0].changes["person"] == ["", "Anna"]
    assert "description" not in changes[0].changes
    assert changes[0].changed_by == workspace.coordinator
    assert changes[1].changes == {"status": ["Open", "In progress"]}
    assert changes[1].note == "Afspraak gepland."
    assert changes[1].changed_by == workspace.coordinator
    detail = client.get(response["Location"]).content.decode()
    assert "Afspraak gepland." in detail
    # The editor of the coalition sees it on the pathway's page.
    login(client, workspace.editor)
    page = client.get(reverse("pathways:manage-pathway", args=[pathway.pk])).content.decode()
    assert "Improvement actions for this pathway" in page
    assert "Kennismaking verloskundigen en sociaal team" in page
    assert AccessEvent.objects.filter(
        event_type="coalitions.action.list", object_type="pathways.pathway"
    ).exists()
    # The analyst reads the action but cannot change it.
    login(client, workspace.analyst)
    assert client.get(response["Location"]).status_code == 200
    assert client.post(response["Location"], {"title": "x"}).status_code == 403


@pytest.mark.parametrize(
    "data",
    [
        {"status": "open"},
        {"title": "x", "due_on": "morgen", "status": "open"},
        {"title": "x", "due_on": "2027-01-01", "status": "klaar"},
        {"title": "x", "due_on": "2027-01-01", "status": "open", "indicator_codes": "Geen Code!"},
        {"title": "x", "due_on": "2027-01-01", "status": "open", "organisation": "999999"},
    ],
)
def test_bad_actions_change_nothing(client: Client, workspace: Any, data: dict[str, str]) -> None:
    login(client, workspace.coordinator)
    assert client.post(pages(workspace)["action_new"], data).status_code == 400
    assert not ImprovementAction.objects.exists()


def test_an_action_of_another_coalitions_organisation_is_refused(workspace: Any) -> None:
    other_org = workspace.other.members.first().organisation
    with pytest.raises(services.InvalidInput) as error:
        services.create_action(
            user=workspace.coordinator,
            coalition=workspace.coalition,
            data=services.ActionInput(
                title="x", due_on=timezone.localdate(), organisation=other_org
            ),
        )
    assert "organisation" in error.value.errors


def test_an_action_linked_to_what_the_coalition_cannot_link_is_refused(workspace: Any) -> None:
    from kansrijk.directory.models import Organization, Service
    from kansrijk.situations.services import load_catalogue
    from tests.pathways.conftest import make_pathway

    load_catalogue()
    elsewhere = make_pathway(workspace.other, municipalities=["GM0599"])
    never_asked = workspace.instrument.statements.get(code="S01")  # no round of the coalition
    far_away = Service.objects.create(
        organization=Organization.objects.create(name="Ver weg"), name="Ver weg"
    )
    with pytest.raises(services.InvalidInput) as error:
        services.create_action(
            user=workspace.coordinator,
            coalition=workspace.coalition,
            data=services.ActionInput(
                title="x",
                due_on=timezone.localdate(),
                statements=[never_asked],
                pathways=[elsewhere],
                services=[far_away],
            ),
        )
    assert {"statements", "pathways", "services"} <= set(error.value.errors)
    assert not ImprovementAction.objects.exists()


def test_a_touchpoint_naming_what_the_coalition_cannot_link_is_refused(workspace: Any) -> None:
    """The journey's service checks what each touchpoint names, as it does for an action: an
    organisation that is no member, a pathway of another coalition, a service of neither its
    members nor its area. Nothing is saved."""
    from kansrijk.directory.models import Organization, Service
    from kansrijk.situations.services import load_catalogue
    from tests.pathways.conftest import make_pathway

    load_catalogue()
    elsewhere = make_pathway(workspace.other, municipalities=["GM0599"])
    far_away = Service.objects.create(
        organization=Organization.objects.create(name="Ver weg"), name="Ver weg"
    )
    with pytest.raises(services.InvalidInput) as error:
        services.save_journey(
            user=workspace.coordinator,
            coalition=workspace.coalition,
            phase="pregnancy",
            data=services.JourneyInput(
                touchpoints=[
                    services.TouchpointInput(
                        title="Intake",
                        role="verloskundige",
                        organisation=workspace.other.members.get().organisation,
                        pathway=elsewhere,
                        service=far_away,
                    )
                ]
            ),
        )
    assert {
        "touchpoints.0.organisation",
        "touchpoints.0.pathway",
        "touchpoints.0.service",
    } <= set(error.value.errors)
    assert not Journey.objects.exists()


def test_journeys_with_gaps(client: Client, workspace: Any) -> None:
    from kansrijk.situations.models import Situation
    from kansrijk.situations.services import load_catalogue
    from tests.pathways.conftest import make_pathway

    load_catalogue()
    make_pathway(workspace.coalition, situation="roken", phases=["pregnancy"])
    login(client, workspace.coordinator)
    url = pages(workspace)["journey"]
    geldzorgen = Situation.objects.get(code="geldzorgen")
    response = client.post(
        url,
        {
            "introduction": "Zo loopt het.",
            "points-TOTAL_FORMS": "2",
            "points-INITIAL_FORMS": "0",
            "points-MIN_NUM_FORMS": "0",
            "points-MAX_NUM_FORMS": "40",
            "points-0-ORDER": "1",
            "points-0-title": "Intake",
            "points-0-role": "verloskundige",
            "points-0-moment": "week 8-12",
            "points-0-organisation": workspace.orgs["midwives"].pk,
            "points-0-situations": [geldzorgen.pk],
            "points-1-ORDER": "",
            "points-1-title": "",
            "points-1-role": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    journey = Journey.objects.get(coalition=workspace.coalition, phase="pregnancy")
    assert [t.title for t in journey.touchpoints.all()] == ["Intake"]
    page = client.get(pages(workspace)["journeys"]).content.decode()
    # Geldzorgen is asked about (no pathway); roken has a pathway (nobody asks); the rest are gaps.
    from kansrijk.coalitions.workspace import journeys

    pregnancy = next(j for j in journeys(workspace.coalition) if j.phase == "pregnancy")
    assert geldzorgen in pregnancy.without_pathway
    assert [s.code for s in pregnancy.not_asked] == ["roken"]
    gap_codes = {s.code for s in pregnancy.gaps}
    assert "huiselijk-geweld" in gap_codes
    assert not gap_codes & {"geldzorgen", "roken"}
    assert "Intake" in page
    assert "gaps" in page


def test_a_touchpoint_needs_a_title_and_a_role(client: Client, workspace: Any) -> None:
    login(client, workspace.coordinator)
    response = client.post(
        pages(workspace)["journey"],
        {
            "points-TOTAL_FORMS": "1",
            "points-INITIAL_FORMS": "0",
            "points-0-ORDER": "1",
            "points-0-title": "Intake",
            "points-0-organisation": workspace.other.members.first().organisation.pk,
        },
    )
    assert response.status_code == 400
    assert not Journey.objects.exists()


def test_rounds_pages(client: Client, workspace: Any) -> None:
    round_, _links = assessments.open_round(
        user=workspace.coordinator,
        coalition=workspace.coalition,
        instrument_version=workspace.instrument,
        closes_on=closes(),
        respondents=[workspace.midwife, workspace.jgz],
    )
    assessments.answer_as_user(
        user=workspace.midwife,
        round_=round_,
        answers={"P01": AnswerInput(4), "P02": AnswerInput(None), "S01": AnswerInput(2, "Geheim")},
        submit=True,
    )
    login(client, workspace.coordinator)
    page = client.get(reverse("assessments:round", args=[round_.pk])).content.decode()
    assert "Verloskundige" in page
    assert "answered" in page
    assert "Geheim" not in page
    results = client.get(reverse("assessments:results", args=[round_.pk])).content.decode()
    assert "Results are shown from 3 respondents on" in results
    assert "Geheim" not in results
    login(client, workspace.analyst)
    analyst_page = client.get(reverse("assessments:round", args=[round_.pk])).content.decode()
    assert "Verloskundige" not in analyst_page  # the analyst does not see who answered
    login(client, workspace.outsider)
    assert client.get(reverse("assessments:results", args=[round_.pk])).status_code == 404


def test_actions_on_a_pathway_are_logged_in_the_role_of_who_reads_them(
    client: Client, workspace: Any
) -> None:
    """The pathway's editor page names the people responsible for its actions; the read is
    logged in the role the reader opened the page in: the coalition's editor, or an
    administrator of its municipality (who may open it too)."""
    from kansrijk.situations.services import load_catalogue
    from tests.factories import UserFactory
    from tests.pathways.conftest import make_pathway

    load_catalogue()
    pathway = make_pathway(workspace.coalition, situation="geldzorgen", title="Geldzorgen Drachten")
    action = services.create_action(
        user=workspace.coordinator,
        coalition=workspace.coalition,
        data=services.ActionInput(title="Zorgpad bijwerken", due_on=closes(), person="Anna"),
    )
    action.pathways.set([pathway])
    administrator = UserFactory(roles=[Role.ADMINISTRATOR], organisation=workspace.orgs["gemeente"])
    url = reverse("pathways:manage-pathway", args=[pathway.pk])
    for user in (workspace.editor, administrator):
        login(client, user)
        assert "Zorgpad bijwerken" in client.get(url).content.decode()
    logged = AccessEvent.objects.filter(
        event_type="coalitions.action.list", object_type="pathways.pathway"
    ).order_by("pk")
    assert [(e.user, e.role) for e in logged] == [
        (workspace.editor, "coalition_editor"),
        (administrator, "administrator"),
    ]


def test_the_coordinator_changes_a_contact_person(client: Client, workspace: Any) -> None:
    """A contact person's details are changed on the member's page (logged); bad input shows
    that contact's form again with the error and changes nothing; another coalition's
    contact, or one that is not there, is a 404; the analyst may not."""
    member = workspace.coalition.members.get(organisation=workspace.orgs["midwives"])
    contact = services.add_contact(
        user=workspace.coordinator,
        member=member,
        data=services.ContactInput(name="Anna", email="anna@example.org"),
    )
    url = reverse("coalitions:member", args=[workspace.coalition.pk, member.pk])
    prefix = f"contact-{contact.pk}"
    login(client, workspace.coordinator)
    page = client.get(url).content.decode()
    assert f'name="{prefix}-name"' in page
    assert 'value="anna@example.org"' in page
    for bad in ({f"{prefix}-name": ""}, {f"{prefix}-email": "geen"}, {f"{prefix}-phone": "bel"}):
        data = {"form": "edit-contact", "contact": contact.pk, f"{prefix}-name": "Anna", **bad}
        response = client.post(url, data)
        assert response.status_code == 400
        shown = response.content.decode()
        assert f'id="id_{prefix}-{next(iter(bad))[len(prefix) + 1 :]}_error"' in shown
        assert "<details open" in shown
    contact.refresh_from_db()
    assert (contact.name, contact.email, contact.phone) == ("Anna", "anna@example.org", "")
    response = client.post(
        url,
        {
            "form": "edit-contact",
            "contact": contact.pk,
            f"{prefix}-name": "Anna de Vries",
            f"{prefix}-function": "praktijkhouder",
            f"{prefix}-email": "",
            f"{prefix}-phone": "0512 123456",
        },
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.name, contact.function, contact.email, contact.phone) == (
        "Anna de Vries",
        "praktijkhouder",
        "",
        "0512 123456",
    )
    assert AccessEvent.objects.filter(
        event_type="coalitions.contact.update",
        object_id=str(contact.pk),
        role="coalition_coordinator",
        purpose="coalition.workspace",
    ).exists()
    for missing in ("abc", "999999"):
        data = {"form": "edit-contact", "contact": missing, f"{prefix}-name": "X"}
        assert client.post(url, data).status_code == 404
    login(client, workspace.analyst)
    data = {"form": "edit-contact", "contact": contact.pk, f"{prefix}-name": "X"}
    assert client.post(url, data).status_code == 403
    contact.refresh_from_db()
    assert contact.name == "Anna de Vries"


def test_each_write_of_a_contact_is_logged_for_that_contact(workspace: Any) -> None:
    """A new contact is logged for its id; a change and a removal for the contact they are
    about, also when it is gone."""
    user = workspace.coordinator
    member = workspace.coalition.members.first()
    contact = services.add_contact(user=user, member=member, data=services.ContactInput("Anna"))
    pk = str(contact.pk)
    services.update_contact(user=user, contact=contact, data=services.ContactInput("Anna V."))
    services.remove_contact(user=user, contact=contact)
    events = AccessEvent.objects.filter(event_type__startswith="coalitions.contact.")
    assert [(e.event_type, e.object_type, e.object_id) for e in events.order_by("pk")] == [
        ("coalitions.contact.create", "coalitions.contact", pk),
        ("coalitions.contact.update", "coalitions.contact", pk),
        ("coalitions.contact.delete", "coalitions.contact", pk),
    ]
