"""The APIs under /api/: the Kansrijk API (v1) and the social map as HSDA (docs/api.md). Each
publishes its OpenAPI document at ``openapi.json`` (and ``openapi.yaml``) in its base path."""

from django.urls import include, path

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

urlpatterns = [
    path(
        "v1/openapi.json",
        OpenApiJsonView.as_view(generator_class=KansrijkSchemaGenerator),
        name="api-schema",
    ),
    path(
        "v1/openapi.yaml",
        OpenApiYamlView.as_view(generator_class=KansrijkSchemaGenerator),
        name="api-schema-yaml",
    ),
    path(
        "hsds/openapi.json",
        OpenApiJsonView.as_view(generator_class=HsdsSchemaGenerator),
        name="hsds-schema",
    ),
    path(
        "hsds/openapi.yaml",
        OpenApiYamlView.as_view(generator_class=HsdsSchemaGenerator),
        name="hsds-schema-yaml",
    ),
    path("v1/", include(v1_urlpatterns)),
    path("hsds/", include(hsds_urlpatterns)),
]
