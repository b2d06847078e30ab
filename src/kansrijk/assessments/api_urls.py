"""The self-assessment API, mounted at /api/v1/ (no trailing slashes)."""

from django.urls import path

from kansrijk.assessments import api

app_name = "assessments-api"

urlpatterns = [
    path("instruments", api.InstrumentListView.as_view(), name="instruments"),
    path("assessment-rounds", api.RoundCollectionView.as_view(), name="rounds"),
    path(
        "assessment-rounds/<str:round_id>/responses", api.ResponseView.as_view(), name="responses"
    ),
    path("assessment-rounds/<str:round_id>/results", api.ResultsView.as_view(), name="results"),
]
