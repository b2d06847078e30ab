from django.urls import path

from kansrijk.monitoring import api

app_name = "monitoring-api"

urlpatterns = [
    path("indicators", api.IndicatorListView.as_view(), name="indicator-list"),
    path(
        "indicators/<slug:code>/values", api.IndicatorValuesView.as_view(), name="indicator-values"
    ),
]
