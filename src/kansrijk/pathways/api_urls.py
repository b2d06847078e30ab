from django.urls import path

from kansrijk.pathways import api

app_name = "pathways-api"

urlpatterns = [
    path("pathways", api.PathwayListView.as_view(), name="pathway-list"),
    path("pathways/<int:pk>", api.PathwayDetailView.as_view(), name="pathway-detail"),
]
