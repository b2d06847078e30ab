"""The OpenAPI documents as JSON and YAML, for anyone (NLGov /core/publish-openapi: no log-in,
readable from any origin)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drf_spectacular.views import SpectacularJSONAPIView, SpectacularYAMLAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response


def _open_to_all(response: Response) -> Response:
    response["Access-Control-Allow-Origin"] = "*"
    return response


class OpenApiJsonView(SpectacularJSONAPIView):
    permission_classes: Sequence[Any] = (AllowAny,)
    authentication_classes: Sequence[Any] = ()

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        return _open_to_all(super().finalize_response(request, response, *args, **kwargs))


class OpenApiYamlView(SpectacularYAMLAPIView):
    permission_classes: Sequence[Any] = (AllowAny,)
    authentication_classes: Sequence[Any] = ()

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        return _open_to_all(super().finalize_response(request, response, *args, **kwargs))
