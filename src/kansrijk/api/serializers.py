"""What the APIs' serializers share: reading a request's input, a row named by its code,
absolute links, the ``{code, name}`` reference and the phase field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from rest_framework import serializers

from kansrijk.core.errors import UnknownValue
from kansrijk.core.phases import INVALID_PHASE_MESSAGE, Phase

_M = TypeVar("_M", bound=Model)


def validated(
    serializer_class: type[serializers.Serializer[Any]],
    data: Any,
    *,
    context: dict[str, Any] | None = None,
) -> Any:
    """``data`` (a request's body or query) as ``serializer_class`` validates it; a
    ``ValidationError`` (a 400 problem) when it is not valid."""
    serializer = serializer_class(data=data, context=context or {})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def by_code(queryset: QuerySet[_M], code: str, unknown: type[UnknownValue]) -> _M | None:
    """The row of ``queryset`` with this ``code`` (``None`` for no code), as a serializer's
    ``validate_<field>`` gives it; a validation error with the message of ``unknown`` (the
    domain error for the value) when there is none."""
    if not code:
        return None
    found = queryset.filter(code=code).first()
    if found is None:
        raise serializers.ValidationError(str(unknown(code)), code="unknown")
    return found


def absolute_url(context: Mapping[str, Any], path: str) -> str:
    """``path`` as an absolute URL when the serializer ``context`` has the request; else as
    it is."""
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


# Something named by its stable code (a municipality, a situation, a life domain). An API's
# own subclass keeps its own name (its component) in the OpenAPI document. No docstring: that
# would be every subclass's description there.
class CodeNameSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


def code_name(named: Any) -> dict[str, str]:
    """The ``{code, name}`` reference to ``named``: what ``CodeNameSerializer`` gives, built
    directly."""
    return {"code": named.code, "name": named.name}


class PhaseField(serializers.ChoiceField):
    """A phase of the first 1000 days (``Phase``); any other value is refused with the three."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=Phase.choices,
            error_messages={"invalid_choice": INVALID_PHASE_MESSAGE},
            **kwargs,
        )
