"""The situations catalogue API, mounted at /api/v1/ (so /api/v1/situations)."""

from django.urls import path

from kansrijk.situations import api

app_name = "situations-api"

urlpatterns = [
    path("situations", api.SituationListView.as_view(), name="situation-list"),
    path("situations/<slug:code>", api.SituationDetailView.as_view(), name="situation-detail"),
]
