"""The base of the API's public reference-data endpoints (places, situations, pathways, the
menukaart, monitoring figures)."""

from __future__ import annotations

from rest_framework.permissions import AllowAny
from rest_framework.views import APIView


class PublicReadOnlyView(APIView):
    """Public reference data: no authentication (so no CSRF), only GET/HEAD/OPTIONS."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    http_method_names = ["get", "head", "options"]
