"""The APIs under /api/: the Kansrijk API (v1) and the social map as HSDA (docs/api.md). Each
publishes its OpenAPI document at ``openapi.json`` (and ``openapi.yaml``) in its base path."""

from django.urls import URLPattern, include, path
from drf_spectacular.generators import SchemaGenerator

from kansrijk.api.schema import HsdsSchemaGenerator, KansrijkSchemaGenerator
from kansrijk.api.views import OpenApiJsonView, OpenApiYamlView

v1_urlpatterns = [
    path("places/", include("kansrijk.places.api_urls")),
    path("", include("kansrijk.situations.api_urls")),
    path("", include("kansrijk.interventions.api_urls")),
    path("signalling/", include("kansrijk.signalling.api_urls")),
    path("", include("kansrijk.referrals.api_urls")),
    path("", include("kansrijk.pathways.api_urls")),
    path("", include("kansrijk.coalitions.api_urls")),
    path("", include("kansrijk.assessments.api_urls")),
    path("", include("kansrijk.monitoring.api_urls")),
]
hsds_urlpatterns = [path("", include("kansrijk.directory.api_urls"))]


def openapi_urlpatterns(generator: type[SchemaGenerator], name: str) -> list[URLPattern]:
    """An API's OpenAPI document, as JSON (``name``) and as YAML (``name``-yaml)."""
    return [
        path("openapi.json", OpenApiJsonView.as_view(generator_class=generator), name=name),
        path(
            "openapi.yaml",
            OpenApiYamlView.as_view(generator_class=generator),
            name=f"{name}-yaml",
        ),
    ]


urlpatterns = [
    path(
        "v1/",
        include([*openapi_urlpatterns(KansrijkSchemaGenerator, "api-schema"), *v1_urlpatterns]),
    ),
    path(
        "hsds/",
        include([*openapi_urlpatterns(HsdsSchemaGenerator, "hsds-schema"), *hsds_urlpatterns]),
    ),
]
