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


def openapi_documents(
    base: str, generator_class: type[SchemaGenerator], name: str
) -> list[URLPattern]:
    """The OpenAPI document of the API at ``base`` as ``openapi.json`` (URL name ``name``)
    and ``openapi.yaml`` (``name``-yaml)."""
    return [
        path(
            f"{base}openapi.json",
            OpenApiJsonView.as_view(generator_class=generator_class),
            name=name,
        ),
        path(
            f"{base}openapi.yaml",
            OpenApiYamlView.as_view(generator_class=generator_class),
            name=f"{name}-yaml",
        ),
    ]


urlpatterns = [
    *openapi_documents("v1/", KansrijkSchemaGenerator, "api-schema"),
    *openapi_documents("hsds/", HsdsSchemaGenerator, "hsds-schema"),
    path("v1/", include(v1_urlpatterns)),
    path("hsds/", include(hsds_urlpatterns)),
]
