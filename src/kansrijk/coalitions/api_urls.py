"""The coalition API, mounted at /api/v1/ (no trailing slashes)."""

from django.urls import path

from kansrijk.coalitions import api

app_name = "coalitions-api"

urlpatterns = [
    path("coalitions", api.CoalitionListView.as_view(), name="list"),
    path(
        "coalitions/<str:coalition_id>/actions", api.ActionCollectionView.as_view(), name="actions"
    ),
]
