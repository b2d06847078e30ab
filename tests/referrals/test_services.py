"""Creating, editing, consent and contact attempts: invariants, errors and no partial rows."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from kansrijk.audit.models import AccessEvent, Action
from kansrijk.directory.models import ServiceStatus
from kansrijk.referrals import services
from kansrijk.referrals.exceptions import (
    ConsentRequired,
    InvalidReferral,
    NotAllowed,
    ReferralNotFound,
    StaleVersion,
    TransitionNotAllowed,
)
from kansrijk.referrals.identifiers import REFERENCE_ALPHABET, client_ref, new_reference
from kansrijk.referrals.models import (
    Consent,
    ConsentGivenBy,
    ContactAttempt,
    DataCategory,
    Kind,
    ReasonCode,
    Referral,
    StatusEvent,
)
from kansrijk.referrals.workflow import Status
from tests.directory.factories import DirectoryOrganizationFactory, ServiceFactory
from tests.referrals.factories import (
    CLIENT_BIRTH,
    ReferralWorld,
    add_consent,
    make_referral,
    reach,
    referral_input,
    situation,
)

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return (
        Referral.objects.count(),
        StatusEvent.objects.count(),
        AccessEvent.objects.count(),
        Consent.objects.count(),
        ContactAttempt.objects.count(),
    )


def test_create_draft(world: ReferralWorld) -> None:
    situation("geldzorgen")
    data = referral_input(world.service, situations=("geldzorgen",))
    referral = services.create_referral(user=world.midwife, data=data)
    assert referral.status == Status.DRAFT
    assert referral.version == 1
    assert re.fullmatch(
        rf"VW-[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{2}}", referral.reference
    )
    assert referral.sender_organisation == world.sender_org
    assert referral.receiver_organisation == world.receiver_org
    assert referral.client_ref == client_ref("Fenna", "Zwanenburg-Oudega", CLIENT_BIRTH)
    assert [s.code for s in referral.situations.all()] == ["geldzorgen"]
    assert referral.is_first_child is True
    assert str(referral) == referral.reference
    event = AccessEvent.objects.get(event_type="referral.create")
    assert event.action == Action.CREATE
    assert event.client_ref == referral.client_ref
    assert StatusEvent.objects.get(referral=referral).to_status == Status.DRAFT


def test_client_ref_is_stable_and_pseudonymous() -> None:
    a = client_ref("Élif", "van Dijk", datetime.date(2000, 1, 2))
    b = client_ref("elif", "Van-Dijk ", datetime.date(2000, 1, 2))
    assert a == b
    assert a.startswith("cl-")
    assert "dijk" not in a.lower()
    assert a != client_ref("Elif", "van Dijk", datetime.date(2000, 1, 3))


def test_reference_alphabet_has_no_look_alikes() -> None:
    for ch in "0O1IL5S2ZUV":
        assert ch not in REFERENCE_ALPHABET
    assert len({new_reference() for _ in range(200)}) == 200


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"client_given_name": "  "}, "client_given_name"),
        ({"client_family_name": ""}, "client_family_name"),
        ({"client_birth_date": datetime.date(2999, 1, 1)}, "client_birth_date"),
        ({"client_phone": "bel mij"}, "client_phone"),
        ({"client_phone": "", "client_email": "", "client_address": ""}, "client_phone"),
        ({"client_postal_code": "ABCD"}, "client_postal_code"),
        ({"client_language": "Nederlands"}, "client_language"),
        ({"client_municipality": "GM9999"}, "client_municipality"),
        ({"due_date": None}, "due_date"),
        ({"due_date": datetime.date(2000, 1, 1)}, "due_date"),
        ({"phase": "postnatal", "kind": "general"}, "child_birth_date"),
        ({"phase": "preconception"}, "phase"),
        ({"gestational_age_weeks": 50}, "gestational_age_weeks"),
        ({"parity": 30}, "parity"),
        (
            {
                "preferred_visit_from": datetime.date(2030, 5, 1),
                "preferred_visit_until": datetime.date(2030, 4, 1),
            },
            "preferred_visit_until",
        ),
        ({"situations": ("bestaat-niet",)}, "situations"),
        ({"urgency": "now"}, "urgency"),
        ({"kind": "other"}, "kind"),
        ({"contact_preference": "pigeon"}, "contact_preference"),
        ({"handover_note": "x" * 4001}, "handover_note"),
        ({"service_id": "00000000-0000-0000-0000-000000000000"}, "service"),
        ({"service_id": "not-a-uuid"}, "service"),
    ],
)
def test_bad_input_is_refused_without_rows(
    world: ReferralWorld, overrides: dict, field: str
) -> None:
    before = _counts()
    with pytest.raises(InvalidReferral) as info:
        services.create_referral(
            user=world.midwife, data=referral_input(world.service, **overrides)
        )
    assert field in info.value.errors
    assert _counts() == before


def test_via_sender_needs_no_contact_details(world: ReferralWorld) -> None:
    referral = services.create_referral(
        user=world.midwife,
        data=referral_input(
            world.service, client_phone="", contact_preference="via_sender", kind=Kind.GENERAL
        ),
    )
    assert referral.contact_preference == "via_sender"
    assert referral.gestational_age_weeks is None
    assert referral.risk_signals == ""


def test_prenatal_home_visit_must_go_to_the_jgz_of_her_municipality(world: ReferralWorld) -> None:
    elsewhere = ServiceFactory(
        organization=DirectoryOrganizationFactory(account_organisation=world.receiver_org),
        municipalities=["GM0014"],
        phase_pregnancy=True,
    )
    with pytest.raises(InvalidReferral) as info:
        services.create_referral(user=world.midwife, data=referral_input(elsewhere))
    assert "service" in info.value.errors
    # A general referral to the same service is fine.
    services.create_referral(user=world.midwife, data=referral_input(elsewhere, kind="general"))


def test_service_must_receive_through_kansrijk(world: ReferralWorld) -> None:
    no_account = ServiceFactory(municipalities=["GM0090"], phase_pregnancy=True)
    closed = ServiceFactory(
        organization=DirectoryOrganizationFactory(account_organisation=world.receiver_org),
        status=ServiceStatus.DEFUNCT,
    )
    for service in (no_account, closed):
        with pytest.raises(InvalidReferral) as info:
            services.create_referral(user=world.midwife, data=referral_input(service))
        assert "service" in info.value.errors


def test_only_professionals_refer(world: ReferralWorld) -> None:
    with pytest.raises(NotAllowed):
        services.create_referral(user=world.intake, data=referral_input(world.service))
    with pytest.raises(NotAllowed):
        services.create_referral(
            user=world.midwife,
            data=referral_input(world.service),
            sender_organisation_id=world.third_org.pk,
        )


def test_update_draft(world: ReferralWorld) -> None:
    referral = make_referral(world, consent=False)
    data = services.ReferralInput.from_referral(referral).but(client_given_name="Femke")
    updated = services.update_draft(
        referral=referral, user=world.midwife, data=data, expected_version=1
    )
    assert updated.client_given_name == "Femke"
    assert updated.version == 2
    assert updated.client_ref != referral.client_ref
    with pytest.raises(StaleVersion):
        services.update_draft(referral=referral, user=world.midwife, data=data, expected_version=1)
    with pytest.raises(ReferralNotFound):
        services.update_draft(referral=referral, user=world.intake, data=data)
    sent = make_referral(world, status=Status.REQUESTED)
    with pytest.raises(TransitionNotAllowed):
        services.update_draft(
            referral=sent, user=world.midwife, data=services.ReferralInput.from_referral(sent)
        )


# --- Consent ------------------------------------------------------------------------------------


def test_cannot_send_without_consent(world: ReferralWorld) -> None:
    referral = make_referral(world, consent=False)
    before = _counts()
    with pytest.raises(ConsentRequired) as info:
        services.send_referral(referral=referral, user=world.midwife)
    assert set(info.value.missing) == {
        DataCategory.IDENTITY_CONTACT,
        DataCategory.PREGNANCY,
        DataCategory.SITUATIONS,
        DataCategory.HANDOVER_NOTE,
    }
    assert _counts() == before
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT


def test_consent_must_cover_every_category(world: ReferralWorld) -> None:
    referral = make_referral(world, consent=False)
    add_consent(world, referral, data_categories=[DataCategory.IDENTITY_CONTACT])
    with pytest.raises(ConsentRequired) as info:
        services.send_referral(referral=referral, user=world.midwife)
    assert DataCategory.HANDOVER_NOTE in info.value.missing
    assert DataCategory.IDENTITY_CONTACT not in info.value.missing
    add_consent(
        world,
        referral,
        data_categories=[
            DataCategory.IDENTITY_CONTACT,
            DataCategory.PREGNANCY,
            DataCategory.SITUATIONS,
            DataCategory.HANDOVER_NOTE,
        ],
    )
    assert services.send_referral(referral=referral, user=world.midwife).status == Status.REQUESTED


def test_consent_for_another_organisation_does_not_count(world: ReferralWorld) -> None:
    referral = make_referral(world, consent=False)
    consent = add_consent(world, referral)
    Consent.objects.filter(pk=consent.pk).update(organisation=world.third_org)
    with pytest.raises(ConsentRequired):
        services.send_referral(referral=referral, user=world.midwife)


def test_withdrawn_consent_does_not_count(world: ReferralWorld) -> None:
    referral = make_referral(world, consent=False)
    consent = add_consent(world, referral)
    services.withdraw_consent(consent=consent, user=world.midwife)
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT
    with pytest.raises(ConsentRequired):
        services.send_referral(referral=referral, user=world.midwife)


def test_withdrawing_consent_cancels_an_open_referral(world: ReferralWorld) -> None:
    referral = make_referral(world, status=Status.ACCEPTED)
    consent = referral.consents.get()
    services.withdraw_consent(consent=consent, user=world.midwife)
    referral.refresh_from_db()
    assert referral.status == Status.CANCELLED
    assert referral.status_reason_code == ReasonCode.CONSENT_WITHDRAWN
    assert AccessEvent.objects.filter(
        event_type="referral.consent.withdraw", consent_ref=str(consent.pk)
    ).exists()
    # Twice is harmless.
    services.withdraw_consent(consent=consent, user=world.midwife)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"data_categories": []}, "data_categories"),
        ({"data_categories": ["everything"]}, "data_categories"),
        ({"method": "telepathy"}, "method"),
        ({"given_by": ConsentGivenBy.LEGAL_REPRESENTATIVE}, "representative_name"),
        ({"given_at": timezone.now() + datetime.timedelta(days=1)}, "given_at"),
        ({"given_at": timezone.now() - datetime.timedelta(days=400)}, "given_at"),
    ],
)
def test_bad_consent(world: ReferralWorld, kwargs: dict, field: str) -> None:
    referral = make_referral(world, consent=False)
    with pytest.raises(InvalidReferral) as info:
        add_consent(world, referral, **kwargs)
    assert field in info.value.errors
    assert not Consent.objects.exists()


def test_consent_details_and_rules(world: ReferralWorld) -> None:
    referral = make_referral(world, consent=False)
    consent = add_consent(
        world,
        referral,
        given_by=ConsentGivenBy.LEGAL_REPRESENTATIVE,
        representative_name="M. Oudega (voogd)",
        method="written",
    )
    assert consent.organisation == world.receiver_org
    assert consent.recorded_by == world.midwife
    event = AccessEvent.objects.get(event_type="referral.consent.record")
    assert event.consent_ref == str(consent.pk)
    with pytest.raises(ReferralNotFound):
        services.record_consent(
            referral=referral,
            user=world.intake,
            data_categories=["identity_contact"],
            method="verbal",
        )
    sent = make_referral(world, status=Status.REQUESTED)
    with pytest.raises(TransitionNotAllowed):
        add_consent(world, sent)


# --- Contact attempts ---------------------------------------------------------------------------


def test_first_contact_moves_to_in_progress(world: ReferralWorld) -> None:
    referral = make_referral(world, status=Status.ACCEPTED)
    services.record_contact_attempt(
        referral=referral, user=world.intake, channel="phone", result="no_answer"
    )
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    assert referral.first_contact_at is None
    attempt = reach(world, referral)
    referral.refresh_from_db()
    assert referral.status == Status.IN_PROGRESS
    assert referral.first_contact_at == attempt.at
    assert AccessEvent.objects.filter(event_type="referral.contact_attempt").count() == 2
    # A later success does not move the first contact.
    reach(world, referral)
    referral.refresh_from_db()
    assert referral.first_contact_at == attempt.at


def test_contact_attempt_rules(world: ReferralWorld) -> None:
    referral = make_referral(world, status=Status.ACCEPTED)
    with pytest.raises(NotAllowed):
        services.record_contact_attempt(
            referral=referral, user=world.midwife, channel="phone", result="reached"
        )
    with pytest.raises(ReferralNotFound):
        services.record_contact_attempt(
            referral=referral, user=world.outsider, channel="phone", result="reached"
        )
    for kwargs, field in [
        ({"channel": "fax"}, "channel"),
        ({"result": "maybe"}, "result"),
        ({"at": timezone.now() + datetime.timedelta(hours=2)}, "at"),
        ({"at": timezone.now() - datetime.timedelta(days=30)}, "at"),
        ({"note": "x" * 501}, "note"),
    ]:
        values = {"channel": "phone", "result": "reached", **kwargs}
        with pytest.raises(InvalidReferral) as info:
            services.record_contact_attempt(referral=referral, user=world.intake, **values)
        assert field in info.value.errors
    assert not ContactAttempt.objects.exists()
    draft_like = make_referral(world, status=Status.REQUESTED)
    with pytest.raises(TransitionNotAllowed):
        services.record_contact_attempt(
            referral=draft_like, user=world.intake, channel="phone", result="reached"
        )
