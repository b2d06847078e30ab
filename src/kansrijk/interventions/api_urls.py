"""The menukaart API, mounted at /api/v1/ (so /api/v1/interventions)."""

from django.urls import path

from kansrijk.interventions import api

app_name = "interventions-api"

urlpatterns = [
    path("interventions", api.InterventionListView.as_view(), name="intervention-list"),
    path(
        "interventions/<slug:slug>",
        api.InterventionDetailView.as_view(),
        name="intervention-detail",
    ),
]
