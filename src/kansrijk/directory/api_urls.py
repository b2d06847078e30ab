"""HSDA 3.0 endpoints, mounted at /api/hsds/."""

from django.urls import path

from kansrijk.directory import api

app_name = "hsds"

urlpatterns = [
    path("", api.HsdsRootView.as_view(), name="root"),
    path("services", api.ServiceListView.as_view(), name="services"),
    path("services/<str:service_id>", api.ServiceDetailView.as_view(), name="service"),
    path("organizations", api.OrganizationListView.as_view(), name="organizations"),
    path(
        "organizations/<str:organization_id>",
        api.OrganizationDetailView.as_view(),
        name="organization",
    ),
]
