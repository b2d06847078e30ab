from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

urlpatterns = [
    path("v1/places/", include("kansrijk.places.api_urls")),
    path("v1/", include("kansrijk.situations.api_urls")),
    path("v1/", include("kansrijk.interventions.api_urls")),
    path("hsds/", include("kansrijk.directory.api_urls")),
    path("v1/signalling/", include("kansrijk.signalling.api_urls")),
    path("v1/", include("kansrijk.referrals.api_urls")),
    path("v1/", include("kansrijk.pathways.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
]
