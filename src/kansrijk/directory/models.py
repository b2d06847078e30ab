"""The social map (sociale kaart), shaped after Open Referral HSDS 3.0.

One table per HSDS object, with the HSDS field names, so import and export are a mapping and not
a translation. Every HSDS object has a UUID primary key (``core.models.UUIDModel``): the HSDS
``id``, so re-importing a file updates the same rows.

What we add to HSDS, and how it travels in HSDS documents (as ``attributes`` with our own
taxonomies, see ``kansrijk.directory.vocabularies``):

- ``Service.domain`` (medical, social, informal), the Kansrijke Start phases
  (``phase_preconception``, ``phase_pregnancy``, ``phase_postnatal``), ``target_group``,
  ``is_free``, ``response_time_days`` (working days before a referred family is contacted)
  and ``is_demo``;
- ``ReferralMethod``: how a professional refers to the service (phone, secure mail, referral form,
  ZorgDomein, self-referral), with instructions per method.

Where HSDS lets a row hang from several parents (a phone of a location *and* of a contact), the
row has one nullable foreign key per parent, as in the HSDS tabular form.

``Service.search_text``, ``search_stems`` and ``search_sources`` are denormalised for search and kept
current by ``kansrijk.directory.search.refresh_search_text`` (called by every write path).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kansrijk.accounts.roles import Role
from kansrijk.core.dates import years_before
from kansrijk.core.fields import acting_user, optional_link
from kansrijk.core.models import UUIDModel, with_demo_mark
from kansrijk.core.phases import HasPhases
from kansrijk.core.users import signed_in

if TYPE_CHECKING:
    from kansrijk.places.models import Municipality

#: A service needs re-verification when it was last verified longer ago than this.
VERIFICATION_INTERVAL_MONTHS = 12


def verification_cutoff(today: datetime.date | None = None) -> datetime.date:
    """The date before which ``assured_date`` is too old (12 months before ``today``)."""
    return years_before(today or timezone.localdate(), 1)


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    DEFUNCT = "defunct", _("Defunct")
    TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")


class Domain(models.TextChoices):
    MEDICAL = "medical", _("Medical")
    SOCIAL = "social", _("Social")
    INFORMAL = "informal", _("Informal")


class ReferralMethodKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    SECURE_MAIL = "secure_mail", _("Secure mail")
    REFERRAL_FORM = "referral_form", _("Referral form")
    ZORGDOMEIN = "zorgdomein", _("ZorgDomein")
    SELF_REFERRAL = "self_referral", _("Self-referral")


class LocationType(models.TextChoices):
    PHYSICAL = "physical", _("Physical")
    POSTAL = "postal", _("Postal")
    VIRTUAL = "virtual", _("Virtual")


class PhoneType(models.TextChoices):
    TEXT = "text", _("Text")
    VOICE = "voice", _("Voice")
    FAX = "fax", _("Fax")
    CELL = "cell", _("Mobile")
    VIDEO = "video", _("Video")
    PAGER = "pager", _("Pager")
    TEXTPHONE = "textphone", _("Textphone")


class Weekday(models.TextChoices):
    MO = "MO", _("Monday")
    TU = "TU", _("Tuesday")
    WE = "WE", _("Wednesday")
    TH = "TH", _("Thursday")
    FR = "FR", _("Friday")
    SA = "SA", _("Saturday")
    SU = "SU", _("Sunday")


class Frequency(models.TextChoices):
    WEEKLY = "WEEKLY", _("Weekly")
    MONTHLY = "MONTHLY", _("Monthly")


# --- Organisations ---------------------------------------------------------------------------------


class Organization(UUIDModel):
    """An HSDS organization: who delivers services (a GGD, a midwife practice, a food bank)."""

    name = models.CharField(_("name"), max_length=250, db_index=True)
    alternate_name = models.CharField(_("alternate name"), max_length=250, blank=True)
    description = models.TextField(_("description"), blank=True)
    email = models.EmailField(_("email address"), max_length=254, blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    tax_status = models.CharField(_("tax status"), max_length=100, blank=True)
    tax_id = models.CharField(_("tax id"), max_length=100, blank=True)
    year_incorporated = models.PositiveSmallIntegerField(
        _("year incorporated"), null=True, blank=True
    )
    legal_status = models.CharField(_("legal status"), max_length=100, blank=True)
    logo = models.URLField(_("logo"), max_length=500, blank=True)
    uri = models.URLField(_("URI"), max_length=500, blank=True)
    parent_organization = optional_link(
        "self", models.SET_NULL, _("parent organisation"), related_name="child_organizations"
    )
    account_organisation = optional_link(
        "accounts.Organisation",
        models.SET_NULL,
        _("organisation in Kansrijk"),
        related_name="directory_organizations",
        help_text=_("The organisation whose users receive referrals for these services."),
    )
    is_demo = models.BooleanField(
        _("demo"), default=False, help_text=_("Example data, not a real organisation.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_modified = models.DateTimeField(_("last modified"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("organisation (social map)")
        verbose_name_plural = _("organisations (social map)")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return with_demo_mark(self.name, self.is_demo)


# --- Taxonomy --------------------------------------------------------------------------------------


class Taxonomy(UUIDModel):
    """A vocabulary (HSDS taxonomy), e.g. the Kansrijke Start need categories."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    uri = models.URLField(_("URI"), max_length=500, blank=True)
    version = models.CharField(_("version"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("taxonomy")
        verbose_name_plural = _("taxonomies")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(UUIDModel):
    """A term in a vocabulary, e.g. ``geldzorgen`` (money worries) among the need categories."""

    taxonomy = models.ForeignKey(
        Taxonomy, models.PROTECT, related_name="terms", verbose_name=_("taxonomy")
    )
    code = models.CharField(_("code"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    parent = optional_link("self", models.SET_NULL, _("parent term"), related_name="children")
    language = models.CharField(_("language"), max_length=10, blank=True)
    term_uri = models.URLField(_("term URI"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")
        ordering = ["taxonomy_id", "position", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["taxonomy", "code"],
                condition=~Q(code=""),
                name="directory_term_unique_code",
            ),
        ]
        indexes = [models.Index(fields=["code"], name="directory_term_code")]

    def __str__(self) -> str:
        return self.name


# --- Services --------------------------------------------------------------------------------------


class ServiceQuerySet(models.QuerySet["Service"]):
    def visible(self) -> ServiceQuerySet:
        """What the directory shows by default: everything except defunct services."""
        return self.exclude(status=ServiceStatus.DEFUNCT)

    def serving(self, municipality: Municipality | str) -> ServiceQuerySet:
        """Services whose service areas include the municipality (a Municipality or a CBS code)."""
        code = municipality if isinstance(municipality, str) else municipality.code
        return self.filter(
            Exists(ServiceArea.objects.filter(service=OuterRef("pk"), municipality_id=code))
        )

    def needing_verification(self, today: datetime.date | None = None) -> ServiceQuerySet:
        """Services never verified, or last verified more than 12 months ago."""
        return self.filter(
            Q(assured_date__isnull=True) | Q(assured_date__lt=verification_cutoff(today))
        )

    def editable_by(self, user: Any) -> ServiceQuerySet:
        """The services ``user`` may edit.

        The operator (a superuser) edits everything. An administrator edits the services of
        their organisations and those serving their municipalities (``accounts.scope``); a
        coalition editor those serving at least one municipality of their coalition-editor
        role assignments. Nobody else edits the social map.
        """
        if not signed_in(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        condition = Q(pk__in=[])
        if user.has_role(Role.ADMINISTRATOR):
            from kansrijk.accounts.scope import administration_scope

            condition |= services_in_scope(administration_scope(user))
        if user.has_role(Role.COALITION_EDITOR):
            from kansrijk.accounts.models import RoleAssignment

            municipalities = RoleAssignment.objects.filter(
                user=user, role=Role.COALITION_EDITOR
            ).municipality_codes()
            condition |= Q(_serving_any_of(municipalities))
        return self.filter(condition)


def only_coalition_editor(user: Any) -> bool:
    """Whether ``user`` edits the social map as a coalition editor only (no administrator, not
    the operator): the editors' usual case, whose queries run as SQL compiled once."""
    return (
        signed_in(user)
        and not user.is_superuser
        and user.has_role(Role.COALITION_EDITOR)
        and not user.has_role(Role.ADMINISTRATOR)
    )


def coalition_editor_params(user: Any) -> list[Any] | None:
    """The parameters of ``editable_by(user)``'s condition in the order its SQL takes them, for
    a user who is ``only_coalition_editor`` (``None`` for anyone else): for SQL compiled once
    (``page_selectors.can_edit_service``). Keep it next to ``editable_by``; the tests compare it
    with the ORM's (``KANSRIJK_COMPILED_CHECK``)."""
    if not only_coalition_editor(user):
        return None
    # The constant that ``Exists`` selects, then the role assignments' filter (its keywords
    # sorted, as ``Q`` sorts them).
    return [1, Role.COALITION_EDITOR, user.pk]


def _serving_any_of(municipality_codes: Any) -> Exists:
    """Whether a service serves at least one of ``municipality_codes`` (a collection or a
    subquery of CBS codes)."""
    return Exists(
        ServiceArea.objects.filter(service=OuterRef("pk"), municipality_id__in=municipality_codes)
    )


def services_in_scope(scope: Any) -> Q:
    """The services an administrator with ``scope`` (``accounts.scope``) maintains: those of
    their organisations and those serving their municipalities — in the admin and on the
    editor pages alike."""
    return Q(organization__account_organisation_id__in=scope.organisation_ids) | Q(
        _serving_any_of(scope.municipality_codes)
    )


class Service(UUIDModel, HasPhases):
    """An HSDS service: help that an organisation offers (debt counselling, a prenatal home visit)."""

    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="services", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=250)
    alternate_name = models.CharField(_("alternate name"), max_length=250, blank=True)
    description = models.TextField(_("description"), blank=True)
    url = models.URLField(_("website"), max_length=500, blank=True)
    email = models.EmailField(_("email address"), max_length=254, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    interpretation_services = models.TextField(_("interpretation services"), blank=True)
    application_process = models.TextField(_("how to apply"), blank=True)
    fees_description = models.TextField(_("costs"), blank=True)
    wait_time = models.CharField(_("waiting time"), max_length=250, blank=True)
    accreditations = models.TextField(_("accreditations"), blank=True)
    licenses = models.TextField(_("licences"), blank=True)
    alert = models.TextField(
        _("notice"), blank=True, help_text=_("A temporary message, such as a closure.")
    )
    # Eligibility.
    eligibility_description = models.TextField(_("who is it for"), blank=True)
    target_group = models.CharField(_("target group"), max_length=250, blank=True)
    minimum_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    phase_preconception = models.BooleanField(_("before pregnancy"), default=False)
    phase_pregnancy = models.BooleanField(_("during pregnancy"), default=False)
    phase_postnatal = models.BooleanField(_("after birth"), default=False)
    # Kansrijk additions.
    domain = models.CharField(_("domain"), max_length=10, choices=Domain.choices, blank=True)
    is_free = models.BooleanField(
        _("free of charge"), null=True, blank=True, help_text=_("Empty: not known.")
    )
    response_time_days = models.PositiveSmallIntegerField(
        _("response time (working days)"),
        null=True,
        blank=True,
        help_text=_("Working days within which a referred family is contacted."),
    )
    is_demo = models.BooleanField(
        _("demo"), default=False, help_text=_("Example data, not a real service.")
    )
    # Verification and changes.
    assured_date = models.DateField(_("last verified"), null=True, blank=True)
    assurer_email = models.EmailField(_("verified by (email)"), max_length=254, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_modified = models.DateTimeField(_("last modified"), default=timezone.now)
    # Search (denormalised, see kansrijk.directory.search.text).
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    search_stems = models.TextField(_("search stems"), blank=True, editable=False)
    #: The stems of the name, categories, organisation and places, tagged by where they come
    #: from: what orders the results and says why each matched (``search.text``).
    search_sources = models.TextField(_("search sources"), blank=True, default="", editable=False)
    #: PostgreSQL only: ``to_tsvector('dutch', search_text)``, stored and kept current by a
    #: trigger (migration 0003), so that matching a row costs no stemming. NULL on SQLite.
    search_vector = SearchVectorField(_("search vector"), null=True, editable=False)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["status", "name"], name="directory_service_status"),
            models.Index(fields=["last_modified"], name="directory_service_modified"),
            models.Index(fields=["assured_date"], name="directory_service_assured"),
            models.Index(fields=["phase_preconception"], name="directory_service_ph_pre"),
            models.Index(fields=["phase_pregnancy"], name="directory_service_ph_preg"),
            models.Index(fields=["phase_postnatal"], name="directory_service_ph_post"),
            models.Index(fields=["is_free"], name="directory_service_free"),
            models.Index(fields=["domain"], name="directory_service_domain"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True)
                | Q(maximum_age__isnull=True)
                | Q(minimum_age__lte=models.F("maximum_age")),
                name="directory_service_age_range",
            ),
        ]

    def __str__(self) -> str:
        return with_demo_mark(self.name, self.is_demo)

    @property
    def needs_verification(self) -> bool:
        return self.assured_date is None or self.assured_date < verification_cutoff()

    @property
    def is_open(self) -> bool:
        return self.status == ServiceStatus.ACTIVE


class ReferralMethod(UUIDModel):
    """One way to refer to a service, with what a professional needs to know to use it."""

    service = models.ForeignKey(
        Service, models.CASCADE, related_name="referral_methods", verbose_name=_("service")
    )
    method = models.CharField(_("method"), max_length=20, choices=ReferralMethodKind.choices)
    instructions = models.TextField(_("instructions"), blank=True)
    contact = models.CharField(
        _("address or number"),
        max_length=500,
        blank=True,
        help_text=_("The phone number, secure mail address, form link or ZorgDomein product."),
    )

    class Meta:
        verbose_name = _("referral method")
        verbose_name_plural = _("referral methods")
        ordering = ["service_id", "method"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "method"], name="directory_referral_method_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.get_method_display()


class ServiceTaxonomy(UUIDModel):
    """A service classified by a taxonomy term (an HSDS ``attribute`` linking to the service)."""

    service = models.ForeignKey(
        Service, models.CASCADE, related_name="taxonomy_links", verbose_name=_("service")
    )
    taxonomy_term = models.ForeignKey(
        TaxonomyTerm, models.CASCADE, related_name="service_links", verbose_name=_("taxonomy term")
    )
    link_type = models.CharField(_("link type"), max_length=100, blank=True)
    value = models.TextField(_("value"), blank=True)

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "taxonomy_term"], name="directory_service_term_unique"
            ),
        ]
        indexes = [models.Index(fields=["taxonomy_term", "service"], name="directory_term_service")]

    def __str__(self) -> str:
        return f"{self.service_id} — {self.taxonomy_term_id}"


# --- Locations ---------------------------------------------------------------------------------------


class Location(UUIDModel):
    """Where a service is delivered, with its (single, physical) address.

    ``postcode_area`` and ``municipality`` are derived from the postcode on import and on save
    through the services; ``latitude``/``longitude`` default to the PC4 centre point.
    """

    organization = optional_link(
        Organization, models.CASCADE, _("organisation"), related_name="locations"
    )
    location_type = models.CharField(
        _("kind of location"),
        max_length=10,
        choices=LocationType.choices,
        default=LocationType.PHYSICAL,
    )
    name = models.CharField(_("name"), max_length=250, blank=True)
    alternate_name = models.CharField(_("alternate name"), max_length=250, blank=True)
    description = models.TextField(_("description"), blank=True)
    transportation = models.TextField(_("getting there"), blank=True)
    url = models.URLField(_("website"), max_length=500, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    external_identifier = models.CharField(_("external identifier"), max_length=100, blank=True)
    external_identifier_type = models.CharField(
        _("external identifier type"), max_length=100, blank=True
    )
    # The address (HSDS address, flattened: one per location).
    address_id = models.UUIDField(_("address id"), null=True, blank=True, editable=False)
    address_attention = models.CharField(_("attention of"), max_length=250, blank=True)
    address_1 = models.CharField(_("address"), max_length=250, blank=True)
    address_2 = models.CharField(_("address line 2"), max_length=250, blank=True)
    city = models.CharField(_("place"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    state_province = models.CharField(_("province"), max_length=100, blank=True)
    postal_code = models.CharField(_("postcode"), max_length=10, blank=True)
    country = models.CharField(_("country"), max_length=2, default="NL", blank=True)
    address_type = models.CharField(
        _("kind of address"),
        max_length=10,
        choices=LocationType.choices,
        default=LocationType.PHYSICAL,
    )
    postcode_area = optional_link(
        "places.PostcodeArea",
        models.PROTECT,
        _("postcode area"),
        related_name="directory_locations",
    )
    municipality = optional_link(
        "places.Municipality", models.PROTECT, _("municipality"), related_name="directory_locations"
    )
    is_demo = models.BooleanField(_("demo"), default=False)
    last_modified = models.DateTimeField(_("last modified"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["latitude", "longitude"], name="directory_location_point")]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="directory_location_coordinates",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.address_1 or str(self.id)

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def address_line(self) -> str:
        """The address on one line, as on an envelope: ``Hoofdstraat 1, 9203 AB Drachten``."""
        place = " ".join(part for part in (self.postal_code, self.city) if part)
        return ", ".join(part for part in (self.address_1, self.address_2, place) if part)


class ServiceAtLocation(UUIDModel):
    service = models.ForeignKey(
        Service, models.CASCADE, related_name="service_at_locations", verbose_name=_("service")
    )
    location = models.ForeignKey(
        Location, models.CASCADE, related_name="service_at_locations", verbose_name=_("location")
    )
    description = models.TextField(_("description"), blank=True)
    #: The location's point, copied by database triggers (migration 0004) on every insert and
    #: location change, so that a postcode search finds the services in its bounding box with
    #: one index range scan instead of a probe per location.
    latitude = models.FloatField(_("latitude"), null=True, editable=False)
    longitude = models.FloatField(_("longitude"), null=True, editable=False)

    class Meta:
        verbose_name = _("service at location")
        verbose_name_plural = _("services at locations")
        constraints = [
            models.UniqueConstraint(fields=["service", "location"], name="directory_sal_unique"),
        ]
        # The services in a postcode search's bounding box, from the index alone.
        indexes = [
            models.Index(fields=["latitude", "longitude", "service"], name="directory_sal_point")
        ]

    def __str__(self) -> str:
        return f"{self.service_id} @ {self.location_id}"


class ServiceArea(UUIDModel):
    """A municipality a service serves (an HSDS service_area whose extent is a CBS code)."""

    service = models.ForeignKey(
        Service, models.CASCADE, related_name="service_areas", verbose_name=_("service")
    )
    municipality = models.ForeignKey(
        "places.Municipality",
        models.PROTECT,
        related_name="directory_service_areas",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=250, blank=True)
    description = models.TextField(_("description"), blank=True)
    extent = models.TextField(_("extent"), blank=True)
    extent_type = models.CharField(_("extent type"), max_length=20, blank=True, default="text")
    uri = models.URLField(_("URI"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")
        ordering = ["service_id", "municipality_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "municipality"], name="directory_service_area_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "service"], name="directory_area_municipality")
        ]

    def __str__(self) -> str:
        return self.name or str(self.municipality_id)


# --- Contact details, languages, costs, schedules -----------------------------------------------------


class Contact(UUIDModel):
    organization = optional_link(
        Organization, models.CASCADE, _("organisation"), related_name="contacts"
    )
    service = optional_link(Service, models.CASCADE, _("service"), related_name="contacts")
    service_at_location = optional_link(
        ServiceAtLocation, models.CASCADE, _("service at location"), related_name="contacts"
    )
    location = optional_link(Location, models.CASCADE, _("location"), related_name="contacts")
    name = models.CharField(_("name"), max_length=250, blank=True)
    title = models.CharField(_("job title"), max_length=250, blank=True)
    department = models.CharField(_("department"), max_length=250, blank=True)
    email = models.EmailField(_("email address"), max_length=254, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name or self.department or str(self.id)


class Phone(UUIDModel):
    organization = optional_link(
        Organization, models.CASCADE, _("organisation"), related_name="phones"
    )
    service = optional_link(Service, models.CASCADE, _("service"), related_name="phones")
    service_at_location = optional_link(
        ServiceAtLocation, models.CASCADE, _("service at location"), related_name="phones"
    )
    location = optional_link(Location, models.CASCADE, _("location"), related_name="phones")
    contact = optional_link(Contact, models.CASCADE, _("contact"), related_name="phones")
    number = models.CharField(_("number"), max_length=50)
    extension = models.PositiveIntegerField(_("extension"), null=True, blank=True)
    type = models.CharField(_("kind"), max_length=10, choices=PhoneType.choices, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        ordering = ["number", "id"]

    def __str__(self) -> str:
        return self.number


class Language(UUIDModel):
    """A language a service (or a location, or a phone line) is available in; ``code`` is ISO 639."""

    service = optional_link(Service, models.CASCADE, _("service"), related_name="languages")
    location = optional_link(Location, models.CASCADE, _("location"), related_name="languages")
    phone = optional_link(Phone, models.CASCADE, _("phone number"), related_name="languages")
    name = models.CharField(_("name"), max_length=100, blank=True)
    code = models.CharField(_("code"), max_length=10, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["code", "name", "id"]
        indexes = [models.Index(fields=["code", "service"], name="directory_language_code")]

    def __str__(self) -> str:
        return self.name or self.code


class CostOption(UUIDModel):
    service = models.ForeignKey(
        Service, models.CASCADE, related_name="cost_options", verbose_name=_("service")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    option = models.CharField(_("option"), max_length=250, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True, default="EUR")
    amount = models.DecimalField(
        _("amount"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    amount_description = models.CharField(_("amount description"), max_length=250, blank=True)

    class Meta:
        verbose_name = _("cost option")
        verbose_name_plural = _("cost options")
        ordering = ["service_id", "amount", "id"]

    def __str__(self) -> str:
        return self.option or str(self.amount)


class Schedule(UUIDModel):
    """Opening hours or a recurring session (HSDS schedule, iCalendar RRULE style)."""

    service = optional_link(Service, models.CASCADE, _("service"), related_name="schedules")
    location = optional_link(Location, models.CASCADE, _("location"), related_name="schedules")
    service_at_location = optional_link(
        ServiceAtLocation, models.CASCADE, _("service at location"), related_name="schedules"
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    dtstart = models.DateField(_("first date"), null=True, blank=True)
    timezone = models.FloatField(_("UTC offset"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    count = models.PositiveIntegerField(_("number of times"), null=True, blank=True)
    wkst = models.CharField(_("week starts on"), max_length=2, choices=Weekday.choices, blank=True)
    freq = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices, blank=True)
    interval = models.PositiveIntegerField(_("interval"), null=True, blank=True)
    byday = models.CharField(_("days"), max_length=100, blank=True)
    byweekno = models.CharField(_("week numbers"), max_length=200, blank=True)
    bymonthday = models.CharField(_("days of the month"), max_length=200, blank=True)
    byyearday = models.CharField(_("days of the year"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    schedule_link = models.URLField(_("schedule link"), max_length=500, blank=True)
    attending_type = models.CharField(_("how to attend"), max_length=250, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description[:60] or str(self.id)


# --- History ------------------------------------------------------------------------------------


class ChangeAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    VERIFY = "verify", _("verified")


class ChangeSource(models.TextChoices):
    EDITOR = "editor", _("editor")
    IMPORT = "import", _("import")
    ADMIN = "admin", _("management")


class ServiceChange(models.Model):
    """One change of a service: who, when, and per field the old and the new value.

    ``changes`` maps a field (or a related collection such as ``service_areas``) to
    ``[old, new]``. The row survives the service (``service_ref`` keeps the id).
    """

    id = models.BigAutoField(primary_key=True)
    service = optional_link(Service, models.SET_NULL, _("service"), related_name="changes")
    service_ref = models.UUIDField(_("service id"), db_index=True)
    changed_at = models.DateTimeField(_("date and time"), default=timezone.now)
    user = acting_user(_("user"))
    user_display = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=ChangeAction.choices)
    source = models.CharField(_("source"), max_length=10, choices=ChangeSource.choices)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("service change")
        verbose_name_plural = _("service changes")
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["service_ref", "changed_at"], name="directory_change_service")
        ]

    def __str__(self) -> str:
        return f"{self.changed_at:%Y-%m-%d %H:%M} {self.user_display or '-'} {self.action} {self.service_ref}"
