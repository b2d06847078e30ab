"""The OpenAPI documents as JSON and YAML, for anyone (NLGov /core/publish-openapi: no log-in,
readable from any origin), and the page that shows them to developers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularYAMLAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response


class _OpenToAll:
    """An OpenAPI document for anyone: no log-in, readable from any origin."""

    permission_classes: Sequence[Any] = (AllowAny,)
    authentication_classes: Sequence[Any] = ()

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        response["Access-Control-Allow-Origin"] = "*"
        return response


class OpenApiJsonView(_OpenToAll, SpectacularJSONAPIView):
    pass


class OpenApiYamlView(_OpenToAll, SpectacularYAMLAPIView):
    pass


@dataclass(frozen=True)
class ApiDoc:
    key: str
    title: str
    summary: str
    page_url: str
    json_url: str
    yaml_url: str


def _api_docs() -> list[ApiDoc]:
    return [
        ApiDoc(
            "v1",
            _("Kansrijk API"),
            _("reference data, interventions, pathways, signalling and referrals"),
            reverse("api-docs"),
            reverse("api-schema"),
            reverse("api-schema-yaml"),
        ),
        ApiDoc(
            "hsds",
            _("HSDA API (social map)"),
            _("services and organisations as Open Referral HSDS 3.0"),
            reverse("api-docs-hsds"),
            reverse("hsds-schema"),
            reverse("hsds-schema-yaml"),
        ),
    ]


# Redoc puts its styles in <style> elements and runs its search in a worker made from a blob:
# URL; the site's strict CSP is relaxed for exactly these two on this page only (Redoc's logo
# on a CDN stays blocked by img-src).
@csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})
@require_safe
def docs_page(request: HttpRequest, api: str = "v1") -> HttpResponse:
    """The API reference: the OpenAPI document shown with Redoc (vendored)."""
    apis = _api_docs()
    current = next(doc for doc in apis if doc.key == api)
    return render(request, "api/docs.html", {"api": current, "apis": apis})
