"""Closed-loop referrals: the referral, its consent, its status history, contact attempts, the
outbox of notifications, idempotency records and the anonymous statistics kept after purging.

Privacy by design:

- The primary key is a UUID and ``reference`` a short random code (``VW-7K3Q-9P``) to read out
  on the phone: no personal data in URLs, logs or e-mails.
- Client data is the least the receiver needs (name, date of birth, how to reach her, language,
  phase and due date or the child's birth date). There is no BSN field.
- ``client_ref`` is a pseudonym of the client (a keyed hash of her name and date of birth): the
  access log stores it, so her access report can be produced, also after the referral itself
  has been purged.
- ``__str__`` shows the reference only, never the name.

Writes go through ``kansrijk.referrals.services``; reads through ``selectors``, which filter
with ``Referral.objects.for_user(user)`` and write the access log.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kansrijk.accounts.roles import Role
from kansrijk.core.choices import choice_label
from kansrijk.core.fields import acting_user, optional_link
from kansrijk.core.models import UUIDModel
from kansrijk.core.phases import Phase
from kansrijk.core.users import signed_in
from kansrijk.referrals.workflow import OPEN, VISIBLE_TO_RECEIVER, Side, Status


class Kind(models.TextChoices):
    GENERAL = "general", _("Referral")
    PRENATAL_HOME_VISIT = "prenatal_home_visit", _("Prenatal home visit request (JGZ)")
    #: A pregnant woman asked the JGZ herself, on the public parent pages (the Gravity SDOH
    #: self-referral use case): no sending organisation, no date of birth.
    SELF_REFERRAL = "self_referral", _("Self-referral: prenatal home visit (by the parent)")


#: The kinds and sources a professional can make (a self-referral comes from the parent pages
#: only, through ``services.create_self_referral``).
PROFESSIONAL_KINDS: list[tuple[str, Any]] = [
    (kind.value, kind.label) for kind in (Kind.GENERAL, Kind.PRENATAL_HOME_VISIT)
]


class Urgency(models.TextChoices):
    """FHIR ServiceRequest priority codes."""

    ROUTINE = "routine", _("Normal")
    URGENT = "urgent", _("Urgent")
    ASAP = "asap", _("As soon as possible")


class ContactPreference(models.TextChoices):
    CONTACT_CLIENT = "contact_client", _("Contact her directly")
    VIA_SENDER = "via_sender", _("Do not contact her directly; go through me")
    JOINT = "joint", _("First contact together with me (warm handover)")


class Source(models.TextChoices):
    """Where the referral was started."""

    SERVICE = "service", _("Service page")
    PATHWAY = "pathway", _("Pathway step")
    SIGNALLING = "signalling", _("Signalling result")
    API = "api", _("API")
    PARENT = "parent", _("Parent pages (self-referral)")


PROFESSIONAL_SOURCES: list[tuple[str, Any]] = [
    (source.value, source.label) for source in Source if source != Source.PARENT
]


class Outcome(models.TextChoices):
    HELP_STARTED = "help_started", _("Help started")
    HELP_COMPLETED = "help_completed", _("Help completed")
    CLIENT_DECLINED = "client_declined", _("Client declined help")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    REFERRED_ELSEWHERE = "referred_elsewhere", _("Referred elsewhere")
    NOT_REACHED = "not_reached", _("Client not reached")
    OTHER = "other", _("Other")


class ReasonCode(models.TextChoices):
    """Why a referral was rejected, cancelled, paused or failed (counted for the coalition)."""

    NOT_ELIGIBLE = "not_eligible", _("Not eligible for this service")
    NO_CAPACITY = "no_capacity", _("No capacity")
    OUTSIDE_AREA = "outside_area", _("Outside our area")
    DUPLICATE = "duplicate", _("Duplicate referral")
    CLIENT_DECLINED = "client_declined", _("Client declined")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    CLIENT_MOVED = "client_moved", _("Client moved")
    NOT_REACHED = "not_reached", _("Client not reached")
    OTHER = "other", _("Other")


class DataCategory(models.TextChoices):
    """What a consent covers. A referral needs consent for every category it contains."""

    IDENTITY_CONTACT = "identity_contact", _("Name, date of birth and contact details")
    PREGNANCY = "pregnancy", _("Pregnancy and birth details")
    SITUATIONS = "situations", _("Signalled situations and risk signals")
    HANDOVER_NOTE = "handover_note", _("Handover note")


class ConsentGivenBy(models.TextChoices):
    CLIENT = "client", _("The client")
    LEGAL_REPRESENTATIVE = "legal_representative", _("Her legal representative")


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", _("Verbal")
    WRITTEN = "written", _("Written")
    ONLINE = "online", _("Online, by the client herself")


#: How a professional records or withdraws consent (``online`` is only the client's own, in a
#: self-referral).
RECORDED_CONSENT_METHODS: list[tuple[str, Any]] = [
    (ConsentMethod.VERBAL.value, ConsentMethod.VERBAL.label),
    (ConsentMethod.WRITTEN.value, ConsentMethod.WRITTEN.label),
]


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    TEXT_MESSAGE = "text_message", _("Text message")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    HOME_VISIT = "home_visit", _("Home visit")
    VIA_SENDER = "via_sender", _("Through the referrer")


class ContactResult(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    VOICEMAIL = "voicemail", _("Left a message")
    WRONG_NUMBER = "wrong_number", _("Wrong number or address")
    DECLINED = "declined", _("Declined contact")


# --- Referral -------------------------------------------------------------------------------


class ReferralScope:
    """The organisations a user acts for on each side (from their role assignments)."""

    __slots__ = ("receiver_org_ids", "sender_org_ids")

    def __init__(self, sender_org_ids: frozenset[int], receiver_org_ids: frozenset[int]) -> None:
        self.sender_org_ids = sender_org_ids
        self.receiver_org_ids = receiver_org_ids

    @property
    def is_empty(self) -> bool:
        return not (self.sender_org_ids or self.receiver_org_ids)

    def condition_params(self) -> list[Any]:
        """The parameters of ``Referral.objects.for_user``'s condition, in the order its SQL
        takes them (the sending organisations, the receiving ones, the statuses a receiver
        sees): for SQL compiled once (``referrals.selectors._detail_referral``). Keep it next
        to ``for_user``; the tests compare it with the ORM's (``KANSRIJK_COMPILED_CHECK``)."""
        receivers = self.receiver_org_ids
        return [*self.sender_org_ids, *receivers, *(VISIBLE_TO_RECEIVER if receivers else ())]


EMPTY_SCOPE = ReferralScope(frozenset(), frozenset())


def referral_scope(user: Any) -> ReferralScope:
    """Sender side: the organisations of the user's professional roles; receiver side: those of
    the intake-handler roles (a role without organisation is for the user's own). From the
    user's role assignments, read once per request with their roles (``User.role_rows``);
    cached on the user object for the request."""
    if not signed_in(user) or not user.is_active:
        return EMPTY_SCOPE
    cached: ReferralScope | None = getattr(user, "_referral_scope", None)
    if cached is not None:
        return cached
    senders: set[int] = set()
    receivers: set[int] = set()
    for role, organisation_id in _role_rows(user):
        if role not in (Role.PROFESSIONAL, Role.INTAKE_HANDLER):
            continue
        org = organisation_id or user.organisation_id
        if org is None:
            continue
        (senders if role == Role.PROFESSIONAL else receivers).add(org)
    scope = ReferralScope(frozenset(senders), frozenset(receivers))
    user._referral_scope = scope
    return scope


def _role_rows(user: Any) -> Iterable[tuple[str, int | None]]:
    """The user's role assignments as ``(role, organisation id)``: read once with the user's
    roles (``User.role_rows``)."""
    rows = getattr(user, "role_rows", None)
    if rows is not None:
        return rows
    from kansrijk.accounts.models import RoleAssignment

    return RoleAssignment.objects.filter(user_id=user.pk).values_list("role", "organisation_id")


class ReferralQuerySet(models.QuerySet["Referral"]):
    def for_user(self, user: Any) -> ReferralQuerySet:
        """The referrals ``user`` may see: as a professional of the sending organisation (all of
        its referrals, drafts too) or as an intake handler of the receiving organisation (sent
        ones). Everyone else sees nothing. ``ReferralScope.condition_params`` gives the parameters
        of this condition in its SQL's order: change both together."""
        scope = referral_scope(user)
        if scope.is_empty:
            return self.none()
        condition = Q()
        if scope.sender_org_ids:
            condition |= Q(sender_organisation_id__in=scope.sender_org_ids)
        if scope.receiver_org_ids:
            condition |= Q(
                receiver_organisation_id__in=scope.receiver_org_ids,
                status__in=VISIBLE_TO_RECEIVER,
            )
        return self.filter(condition)


class Referral(UUIDModel):
    reference = models.CharField(
        _("reference"),
        max_length=12,
        unique=True,
        editable=False,
        help_text=_("Short code to mention on the phone, e.g. VW-7K3Q-9P."),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.GENERAL)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised by every change (optimistic concurrency).")
    )
    source = models.CharField(
        _("started from"), max_length=12, choices=Source.choices, default=Source.SERVICE
    )
    pathway_ref = models.CharField(
        _("pathway"), max_length=64, blank=True, help_text=_("Reference of the care pathway.")
    )
    pathway_step_ref = models.CharField(
        _("pathway step"), max_length=64, blank=True, help_text=_("Reference of the pathway step.")
    )
    signalling_ref = models.CharField(
        _("signalling result"),
        max_length=64,
        blank=True,
        help_text=_("Reference of the signalling result it came from."),
    )

    # The client: the least the receiver needs. No BSN.
    client_ref = models.CharField(_("client reference"), max_length=64, editable=False)
    client_given_name = models.CharField(_("given name"), max_length=100)
    client_family_name = models.CharField(_("family name"), max_length=150)
    client_birth_date = models.DateField(
        _("date of birth"),
        null=True,
        blank=True,
        help_text=_("Not asked in a self-referral (the least data the request needs)."),
    )
    client_phone = models.CharField(_("phone"), max_length=30, blank=True)
    client_email = models.EmailField(_("e-mail address"), max_length=254, blank=True)
    client_address = models.CharField(_("address"), max_length=200, blank=True)
    client_postal_code = models.CharField(_("postcode"), max_length=7, blank=True)
    client_municipality = models.ForeignKey(
        "places.Municipality",
        models.PROTECT,
        related_name="+",
        verbose_name=_("municipality"),
    )
    client_language = models.CharField(
        _("preferred language"),
        max_length=8,
        default="nl",
        help_text=_("ISO 639-1 code, e.g. nl, en, ar, tr, pl, uk."),
    )
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    child_birth_date = models.DateField(_("child's date of birth"), null=True, blank=True)

    # What the referral is about.
    situations = models.ManyToManyField(
        "situations.Situation", blank=True, related_name="+", verbose_name=_("situations")
    )
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    handover_note = models.TextField(_("handover note"), max_length=4000, blank=True)
    contact_preference = models.CharField(
        _("contact preference"),
        max_length=16,
        choices=ContactPreference.choices,
        default=ContactPreference.CONTACT_CLIENT,
    )
    contact_note = models.CharField(
        _("contact note"),
        max_length=300,
        blank=True,
        help_text=_("E.g. the best time to call."),
    )

    # Prenatal home visit (JGZ): the handover fields.
    gestational_age_weeks = models.PositiveSmallIntegerField(
        _("gestational age (weeks)"), null=True, blank=True
    )
    parity = models.PositiveSmallIntegerField(
        _("parity"), null=True, blank=True, help_text=_("Number of earlier births; 0: first child.")
    )
    risk_signals = models.TextField(_("risk signals"), max_length=2000, blank=True)
    preferred_visit_from = models.DateField(_("preferred visit from"), null=True, blank=True)
    preferred_visit_until = models.DateField(_("preferred visit until"), null=True, blank=True)

    # Who refers to whom.
    sender_user = acting_user(_("referrer"))
    sender_organisation = optional_link(
        "accounts.Organisation",
        models.PROTECT,
        _("referring organisation"),
        related_name="referrals_sent",
        help_text=_("Empty for a self-referral: the client asked herself."),
    )
    service = models.ForeignKey(
        "directory.Service", models.PROTECT, related_name="referrals", verbose_name=_("service")
    )
    receiver_organisation = models.ForeignKey(
        "accounts.Organisation",
        models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("receiving organisation"),
    )

    # The state.
    status_reason = models.CharField(_("reason"), max_length=1000, blank=True)
    status_reason_code = models.CharField(
        _("reason code"), max_length=20, choices=ReasonCode.choices, blank=True
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField(_("outcome note"), max_length=1000, blank=True)
    response_due_on = models.DateField(
        _("contact due by"),
        null=True,
        blank=True,
        help_text=_("The date by which the family should be contacted (service response time)."),
    )

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Inbox: the receiving organisation's open referrals, oldest first (keyset).
            models.Index(
                fields=["receiver_organisation", "status", "sent_at", "id"],
                name="referral_inbox",
            ),
            # Inbox, all open statuses (the default view): the open referrals in the order
            # shown, so a page reads its rows straight from the index instead of sorting
            # all of the organisation's open referrals.
            models.Index(
                fields=["receiver_organisation", "sent_at", "id"],
                name="referral_inbox_open",
                condition=Q(status__in=sorted(OPEN)),
            ),
            # Overdue filter in the inbox.
            models.Index(
                fields=["receiver_organisation", "status", "response_due_on"],
                name="referral_inbox_due",
            ),
            # Sent list: the sending organisation's referrals, newest first (keyset).
            models.Index(fields=["sender_organisation", "created_at", "id"], name="referral_sent"),
            models.Index(
                fields=["sender_organisation", "status", "created_at", "id"],
                name="referral_sent_status",
            ),
            # FHIR Task search: owner + _lastUpdated.
            models.Index(
                fields=["receiver_organisation", "updated_at", "id"], name="referral_owner_upd"
            ),
            # Retention: closed referrals by closing date; stale drafts.
            models.Index(fields=["status", "closed_at"], name="referral_closed"),
            models.Index(fields=["status", "updated_at"], name="referral_status_upd"),
            models.Index(fields=["client_ref"], name="referral_client_ref"),
            models.Index(fields=["service", "status"], name="referral_service_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="referral_version_positive"),
            models.CheckConstraint(
                condition=Q(gestational_age_weeks__isnull=True) | Q(gestational_age_weeks__lte=45),
                name="referral_gestational_age_range",
            ),
            models.CheckConstraint(
                condition=~Q(kind=Kind.PRENATAL_HOME_VISIT)
                | Q(phase=Phase.PREGNANCY, due_date__isnull=False),
                name="referral_phb_pregnancy",
            ),
            # A self-referral comes from the client herself, during pregnancy; every other
            # referral from an organisation, about a client with a date of birth.
            models.CheckConstraint(
                condition=(
                    Q(
                        kind=Kind.SELF_REFERRAL,
                        sender_organisation__isnull=True,
                        sender_user__isnull=True,
                        phase=Phase.PREGNANCY,
                        due_date__isnull=False,
                    )
                    | (
                        ~Q(kind=Kind.SELF_REFERRAL)
                        & Q(sender_organisation__isnull=False, client_birth_date__isnull=False)
                    )
                ),
                name="referral_sender_or_self",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_closed(self) -> bool:
        from kansrijk.referrals.workflow import is_terminal

        return is_terminal(self.status)

    @property
    def is_first_child(self) -> bool | None:
        return None if self.parity is None else self.parity == 0

    @property
    def etag(self) -> str:
        return f'"{self.version}"'

    @property
    def is_self_referral(self) -> bool:
        return self.kind == Kind.SELF_REFERRAL

    @property
    def client_name(self) -> str:
        return f"{self.client_given_name} {self.client_family_name}".strip()

    def data_categories(self) -> set[str]:
        """The data categories this referral contains (consent must cover every one)."""
        categories = {DataCategory.IDENTITY_CONTACT.value}
        if (
            self.due_date
            or self.child_birth_date
            or self.gestational_age_weeks is not None
            or self.parity is not None
            or self.kind in (Kind.PRENATAL_HOME_VISIT, Kind.SELF_REFERRAL)
        ):
            categories.add(DataCategory.PREGNANCY.value)
        if self.risk_signals or (self.pk and self.situations.exists()):
            categories.add(DataCategory.SITUATIONS.value)
        if self.handover_note:
            categories.add(DataCategory.HANDOVER_NOTE.value)
        return categories

    def organisation_id_of(self, side: str) -> int | None:
        """The organisation that stands on ``side`` (sender or receiver) of this referral."""
        return self.sender_organisation_id if side == Side.SENDER else self.receiver_organisation_id

    def sides_for(self, user: Any) -> frozenset[str]:
        """On which side(s) ``user`` stands for this referral (empty: none)."""
        scope = referral_scope(user)
        sides = set()
        if self.sender_organisation_id in scope.sender_org_ids:
            sides.add(Side.SENDER.value)
        if (
            self.receiver_organisation_id in scope.receiver_org_ids
            and self.status in VISIBLE_TO_RECEIVER
        ):
            sides.add(Side.RECEIVER.value)
        return frozenset(sides)

    def valid_consent(self) -> Consent | None:
        """The newest consent that is not withdrawn, is for the receiving organisation and
        covers every data category of the referral; ``None`` if there is none."""
        needed = self.data_categories()
        for consent in self.consents.filter(
            withdrawn_at__isnull=True, organisation_id=self.receiver_organisation_id
        ).order_by("-given_at", "-recorded_at"):
            if needed <= set(consent.data_categories):
                return consent
        return None


# --- Consent --------------------------------------------------------------------------------


class Consent(UUIDModel):
    """The client's consent to share the referral's data with the receiving organisation."""

    referral = models.ForeignKey(
        Referral, models.CASCADE, related_name="consents", verbose_name=_("referral")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        models.PROTECT,
        related_name="+",
        verbose_name=_("shared with"),
    )
    data_categories = models.JSONField(_("data categories"), default=list)
    given_by = models.CharField(
        _("given by"), max_length=24, choices=ConsentGivenBy.choices, default=ConsentGivenBy.CLIENT
    )
    representative_name = models.CharField(
        _("name of the representative"), max_length=150, blank=True
    )
    method = models.CharField(_("how"), max_length=8, choices=ConsentMethod.choices)
    given_at = models.DateTimeField(_("given at"))
    recorded_by = acting_user(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = acting_user(_("withdrawal recorded by"))
    withdrawal_method = models.CharField(
        _("how withdrawn"), max_length=8, choices=ConsentMethod.choices, blank=True
    )
    withdrawal_reason = models.CharField(_("why withdrawn"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at", "-recorded_at"]
        indexes = [models.Index(fields=["referral", "given_at"], name="referral_consent")]
        constraints = [
            models.CheckConstraint(
                condition=Q(given_by=ConsentGivenBy.CLIENT) | ~Q(representative_name=""),
                name="referral_consent_representative_named",
            ),
        ]

    def __str__(self) -> str:
        return str(self.id)

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


# --- History --------------------------------------------------------------------------------


class StatusEvent(models.Model):
    """One status change: from, to, by whom (and on which side), why, when."""

    id = models.BigAutoField(primary_key=True)
    referral = models.ForeignKey(
        Referral, models.CASCADE, related_name="status_events", verbose_name=_("referral")
    )
    from_status = models.CharField(_("from"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Status.choices)
    by = acting_user(_("by"))
    by_display = models.CharField(_("by (name)"), max_length=150, blank=True)
    organisation = optional_link("accounts.Organisation", models.SET_NULL, _("organisation"))
    side = models.CharField(_("side"), max_length=8, choices=Side.choices)
    reason = models.CharField(_("reason"), max_length=1000, blank=True)
    reason_code = models.CharField(
        _("reason code"), max_length=20, choices=ReasonCode.choices, blank=True
    )
    version = models.PositiveIntegerField(_("version"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["referral", "at"], name="referral_status_event")]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"


class ContactAttempt(models.Model):
    id = models.BigAutoField(primary_key=True)
    referral = models.ForeignKey(
        Referral, models.CASCADE, related_name="contact_attempts", verbose_name=_("referral")
    )
    at = models.DateTimeField(_("at"))
    by = acting_user(_("by"))
    by_display = models.CharField(_("by (name)"), max_length=150, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=ContactChannel.choices)
    result = models.CharField(_("result"), max_length=16, choices=ContactResult.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["referral", "at"], name="referral_contact_attempt")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.channel} {self.result}"


# --- Outbox ---------------------------------------------------------------------------------


class OutboxQuerySet(models.QuerySet["OutboxMessage"]):
    def pending(self) -> OutboxQuerySet:
        return self.filter(sent_at__isnull=True, gave_up_at__isnull=True)

    def due(self, now: datetime.datetime) -> OutboxQuerySet:
        return self.pending().filter(next_attempt_at__lte=now)


class OutboxMessage(models.Model):
    """An e-mail to send, written in the same transaction as the change it is about and sent
    by ``kansrijk deliver-outbox``. The body names the referral by its reference only."""

    class MessageKind(models.TextChoices):
        STATUS = "referral.status", _("New status")
        NEW_REFERRAL = "referral.new", _("New referral")

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(_("kind"), max_length=30, choices=MessageKind.choices)
    referral = optional_link(Referral, models.SET_NULL, _("referral"))
    recipient = models.EmailField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    gave_up_at = models.DateTimeField(_("gave up"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outbox")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(sent_at__isnull=True, gave_up_at__isnull=True),
                name="referral_outbox_due",
            ),
            models.Index(fields=["sent_at"], name="referral_outbox_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient}"


# --- Idempotency ----------------------------------------------------------------------------


class IdempotencyRecord(models.Model):
    """The first result of a POST with an ``Idempotency-Key``, per user and key.

    It keeps the status code and which object the response showed, not the response body:
    a replay shows that object again (as it is now), so no copy of client data is kept here.
    """

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("user")
    )
    key = models.CharField(_("key"), max_length=100)
    request_hash = models.CharField(_("request hash"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("response status"))
    response_type = models.CharField(_("response object type"), max_length=30)
    response_id = models.CharField(_("response object"), max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="referral_idempotency_unique")
        ]

    def __str__(self) -> str:
        return self.key


# --- Statistics -----------------------------------------------------------------------------


class ReferralStatistic(models.Model):
    """Anonymous counts of purged referrals: month, municipality, service, pathway, kind,
    final status, outcome, reason. ``contact_days`` is a histogram of working days from
    sending to first contact (``{"3": 12}``), so medians survive the purge."""

    id = models.BigAutoField(primary_key=True)
    month = models.DateField(_("month"), help_text=_("First day of the month it was sent."))
    municipality_code = models.CharField(_("municipality"), max_length=6)
    service_ref = models.CharField(_("service"), max_length=64)
    pathway_ref = models.CharField(_("pathway"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    final_status = models.CharField(_("final status"), max_length=12, choices=Status.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    reason_code = models.CharField(
        _("reason code"), max_length=20, choices=ReasonCode.choices, blank=True
    )
    count = models.PositiveIntegerField(_("number"), default=0)
    contact_days = models.JSONField(_("working days to first contact"), default=dict)

    class Meta:
        verbose_name = _("referral statistic")
        verbose_name_plural = _("referral statistics")
        ordering = ["-month", "municipality_code"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "month",
                    "municipality_code",
                    "service_ref",
                    "pathway_ref",
                    "kind",
                    "final_status",
                    "outcome",
                    "reason_code",
                ],
                name="referral_statistic_unique",
            )
        ]
        indexes = [
            models.Index(fields=["municipality_code", "month"], name="referral_stat_area"),
            models.Index(fields=["pathway_ref", "month"], name="referral_stat_pathway"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.municipality_code} {self.final_status}: {self.count}"


def status_label(status: str) -> str:
    """The name of ``status`` in the active language (the value itself when it is none)."""
    return choice_label(Status, status)
