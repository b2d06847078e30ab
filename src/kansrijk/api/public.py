"""The base of the API's public endpoints: the reference data (places, situations, pathways,
the menukaart, monitoring figures) and signalling's stateless grading."""

from __future__ import annotations

from rest_framework.permissions import AllowAny
from rest_framework.views import APIView


class PublicView(APIView):
    """Public: no authentication (so no session and no CSRF check)."""

    authentication_classes = ()
    permission_classes = (AllowAny,)


class PublicReadOnlyView(PublicView):
    # The docstring is the OpenAPI description of an operation without one of its own.
    """Public reference data: no authentication (so no CSRF), only GET/HEAD/OPTIONS."""

    http_method_names = ["get", "head", "options"]
