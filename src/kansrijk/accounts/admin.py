from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from kansrijk.accounts.models import Organisation, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    fk_name = "user"
    autocomplete_fields = ["organisation", "municipalities"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_demo"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name"]
    autocomplete_fields = ["municipalities"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "first_name",
        "last_name",
        "organisation",
        "is_active",
        "is_staff",
        "is_demo",
    ]
    list_filter = [
        "is_active",
        "is_staff",
        "is_demo",
        "role_assignments__role",
        "organisation__kind",
    ]
    list_select_related = ["organisation"]
    search_fields = ["username", "first_name", "last_name", "email", "organisation__name"]
    autocomplete_fields = ["organisation"]
    inlines = [RoleAssignmentInline]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Kansrijk"), {"fields": ("organisation", "is_demo")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Kansrijk"), {"fields": ("organisation",)}),
    )
