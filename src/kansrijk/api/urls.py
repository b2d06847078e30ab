from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

urlpatterns = [
    path("v1/places/", include("kansrijk.places.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
]
