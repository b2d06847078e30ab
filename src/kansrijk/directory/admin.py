"""Management screens of the social map. Changes made here are management corrections; the
editor screens (which write history and the access log through ``services``) are for daily use."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

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
)
from kansrijk.directory.search import refresh_search_text


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
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "account_organisation", "is_demo", "last_modified"]
    list_filter = ["is_demo"]
    search_fields = ["name", "alternate_name", "id"]
    autocomplete_fields = ["parent_organization", "account_organisation"]
    readonly_fields = ["id", "created_at", "last_modified"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
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
        "phase_preconception",
        "phase_pregnancy",
        "phase_postnatal",
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
                    ("phase_preconception", "phase_pregnancy", "phase_postnatal"),
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

    def save_related(
        self, request: HttpRequest, form: object, formsets: object, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        refresh_search_text([form.instance.pk])  # type: ignore[attr-defined]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organization", "postal_code", "city", "municipality"]
    search_fields = ["name", "address_1", "postal_code", "city", "id"]
    list_filter = ["location_type", "is_demo"]
    list_select_related = ["organization", "municipality"]
    autocomplete_fields = ["organization", "municipality"]
    raw_id_fields = ["postcode_area"]
    readonly_fields = ["id", "address_id", "last_modified"]


@admin.register(Taxonomy)
class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ["name", "version"]
    search_fields = ["name"]


@admin.register(TaxonomyTerm)
class TaxonomyTermAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "taxonomy", "parent", "position"]
    list_filter = ["taxonomy"]
    search_fields = ["name", "code"]
    list_select_related = ["taxonomy", "parent"]
    autocomplete_fields = ["parent"]


@admin.register(ServiceChange)
class ServiceChangeAdmin(admin.ModelAdmin):
    """Read-only: history is written by the services, never edited."""

    list_display = ["changed_at", "service_ref", "user_display", "action", "source"]
    list_filter = ["action", "source"]
    search_fields = ["service_ref", "user_display"]
    date_hierarchy = "changed_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServiceChange]:
        return super().get_queryset(request).select_related("user")


admin.site.register([Contact, Schedule])
