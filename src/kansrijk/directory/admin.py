"""Management screens of the social map. Changes made here are management corrections; the
editor screens (which write history and the access log through ``services``) are for daily use.

An administrator reaches the organisations linked to their own organisations and what serves
their municipalities (``core.admin_scope``); the taxonomies are shared reference data. Only the
operator adds organisations or links one to a Kansrijk organisation (the link decides who
receives its referrals).
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kansrijk.accounts.scope import AdministrationScope
from kansrijk.core.admin_scope import (
    ORGANISATION,
    REFERENCE,
    ScopedAdminMixin,
    ViewOnlyAdminMixin,
)
from kansrijk.core.phases import PHASE_FIELD_NAMES
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
    ServiceChange,
    ServiceTaxonomy,
    Taxonomy,
    TaxonomyTerm,
    services_in_scope,
)
from kansrijk.directory.search import refresh_search_text


def organisations_in(scope: AdministrationScope) -> Q:
    """Organisations linked to the administrator's organisations, or with a location in or a
    service for one of their municipalities."""
    return (
        Q(account_organisation_id__in=scope.organisation_ids)
        | Q(
            Exists(
                Location.objects.filter(
                    organization=OuterRef("pk"), municipality_id__in=scope.municipality_codes
                )
            )
        )
        | Q(
            Exists(
                ServiceArea.objects.filter(
                    service__organization=OuterRef("pk"),
                    municipality_id__in=scope.municipality_codes,
                )
            )
        )
    )


def locations_in(scope: AdministrationScope) -> Q:
    return Q(organization__account_organisation_id__in=scope.organisation_ids) | Q(
        municipality_id__in=scope.municipality_codes
    )


class _PartOfTheMapAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Contacts and schedules: reached through the service, organisation or location they
    belong to."""

    admin_scope = ORGANISATION

    def scope_filter(self, scope: AdministrationScope) -> Q:
        services = Service.objects.filter(services_in_scope(scope))
        condition = (
            Q(service__in=services)
            | Q(service_at_location__service__in=services)
            | Q(location__in=Location.objects.filter(locations_in(scope)))
        )
        if any(f.name == "organization" for f in self.model._meta.get_fields()):
            condition |= Q(organization__in=Organization.objects.filter(organisations_in(scope)))
        return condition


class ServiceAreaInline(admin.TabularInline):
    model = ServiceArea
    extra = 0
    autocomplete_fields = ["municipality"]
    fields = ["municipality", "name", "description"]


class ServiceAtLocationInline(admin.TabularInline):
    model = ServiceAtLocation
    extra = 0
    autocomplete_fields = ["location"]
    fields = ["location", "description"]


class ServiceTaxonomyInline(admin.TabularInline):
    model = ServiceTaxonomy
    extra = 0
    autocomplete_fields = ["taxonomy_term"]
    fields = ["taxonomy_term", "value"]


class ReferralMethodInline(admin.TabularInline):
    model = ReferralMethod
    extra = 0
    fields = ["method", "contact", "instructions"]


class LanguageInline(admin.TabularInline):
    model = Language
    extra = 0
    fields = ["code", "name", "note"]
    fk_name = "service"


class CostOptionInline(admin.TabularInline):
    model = CostOption
    extra = 0
    fields = ["option", "amount", "currency", "amount_description", "valid_from", "valid_to"]


class PhoneInline(admin.TabularInline):
    model = Phone
    extra = 0
    fields = ["number", "extension", "type", "description"]


@admin.register(Organization)
class OrganizationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    admin_scope = ORGANISATION
    operator_adds = True
    operator_fields = ("account_organisation", "is_demo")

    list_display = ["name", "account_organisation", "is_demo", "last_modified"]
    list_filter = ["is_demo"]
    search_fields = ["name", "alternate_name", "id"]
    autocomplete_fields = ["parent_organization", "account_organisation"]
    readonly_fields = ["id", "created_at", "last_modified"]

    def scope_filter(self, scope: AdministrationScope) -> Q:
        return organisations_in(scope)


@admin.register(Service)
class ServiceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    admin_scope = ORGANISATION
    operator_fields = ("is_demo",)

    list_display = [
        "name",
        "organization",
        "status",
        "domain",
        "assured_date",
        "last_modified",
        "is_demo",
    ]
    list_filter = [
        "status",
        "domain",
        "is_free",
        *PHASE_FIELD_NAMES,
        "is_demo",
    ]
    search_fields = ["name", "alternate_name", "id", "organization__name"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]
    readonly_fields = ["id", "created_at", "last_modified", "search_text"]
    date_hierarchy = "last_modified"
    inlines = [
        ServiceAreaInline,
        ServiceAtLocationInline,
        ServiceTaxonomyInline,
        ReferralMethodInline,
        LanguageInline,
        CostOptionInline,
        PhoneInline,
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "id",
                    "organization",
                    "name",
                    "alternate_name",
                    "description",
                    "status",
                    "alert",
                    "is_demo",
                ]
            },
        ),
        (
            _("Who it is for"),
            {
                "fields": [
                    "eligibility_description",
                    "target_group",
                    ("minimum_age", "maximum_age"),
                    PHASE_FIELD_NAMES,
                    "domain",
                ]
            },
        ),
        (
            _("Access"),
            {
                "fields": [
                    "url",
                    "email",
                    "application_process",
                    "interpretation_services",
                    "response_time_days",
                    "wait_time",
                    "is_free",
                    "fees_description",
                ]
            },
        ),
        (_("Quality"), {"fields": ["accreditations", "licenses", "assured_date", "assurer_email"]}),
        (_("Record"), {"fields": ["created_at", "last_modified", "search_text"]}),
    ]

    def scope_filter(self, scope: AdministrationScope) -> Q:
        return services_in_scope(scope)

    def save_related(
        self, request: HttpRequest, form: object, formsets: object, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        refresh_search_text([form.instance.pk])  # type: ignore[attr-defined]


@admin.register(Location)
class LocationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    admin_scope = ORGANISATION
    operator_fields = ("is_demo",)

    list_display = ["__str__", "organization", "postal_code", "city", "municipality"]
    search_fields = ["name", "address_1", "postal_code", "city", "id"]
    list_filter = ["location_type", "is_demo"]
    list_select_related = ["organization", "municipality"]
    autocomplete_fields = ["organization", "municipality"]
    raw_id_fields = ["postcode_area"]
    readonly_fields = ["id", "address_id", "last_modified"]

    def scope_filter(self, scope: AdministrationScope) -> Q:
        return locations_in(scope)


@admin.register(Taxonomy)
class TaxonomyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    admin_scope = REFERENCE
    list_display = ["name", "version"]
    search_fields = ["name"]


@admin.register(TaxonomyTerm)
class TaxonomyTermAdmin(ScopedAdminMixin, admin.ModelAdmin):
    admin_scope = REFERENCE
    list_display = ["name", "code", "taxonomy", "parent", "position"]
    list_filter = ["taxonomy"]
    search_fields = ["name", "code"]
    list_select_related = ["taxonomy", "parent"]
    autocomplete_fields = ["parent"]


@admin.register(ServiceChange)
class ServiceChangeAdmin(ViewOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Read-only: history is written by the services, never edited."""

    admin_scope = ORGANISATION

    list_display = ["changed_at", "service_ref", "user_display", "action", "source"]
    list_filter = ["action", "source"]
    search_fields = ["service_ref", "user_display"]
    date_hierarchy = "changed_at"

    def scope_filter(self, scope: AdministrationScope) -> Q:
        return Q(service__in=Service.objects.filter(services_in_scope(scope)))

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServiceChange]:
        return super().get_queryset(request).select_related("user")


admin.site.register([Contact, Schedule], _PartOfTheMapAdmin)
