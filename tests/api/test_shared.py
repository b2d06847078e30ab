"""The pieces the APIs share: a domain error or one bad value as a problem, a request's input
as a serializer validates it, absolute links, the {code, name} reference."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from kansrijk.api.problems import (
    PROBLEM_CONTENT_TYPE,
    PROBLEM_RESPONSE,
    ProblemSerializer,
    error_problem,
    field_problem,
    with_problems,
)
from kansrijk.api.serializers import CodeNameSerializer, absolute_url, validated
from kansrijk.core.errors import DomainError


class _Gone(DomainError):
    code = "weg"
    default_message = "It is gone."


def _request(path: str = "/api/v1/things?x=1") -> Request:
    return Request(APIRequestFactory().get(path))


def test_error_problem_is_the_errors_message_and_code_at_the_requests_path() -> None:
    response = error_problem(_request(), 404, _Gone(), headers={"Retry-After": "1"})
    assert response.status_code == 404
    assert response.content_type == PROBLEM_CONTENT_TYPE
    assert response["Retry-After"] == "1"
    assert response.data == {
        "type": "https://kansrijk.nl/problemen/weg",
        "title": response.data["title"],
        "status": 404,
        "detail": "It is gone.",
        "code": "weg",
        "instance": "/api/v1/things?x=1",
    }


def test_field_problem_is_a_400_with_the_detail_as_the_fields_message() -> None:
    response = field_problem(_request(), "version", "Give a number.")
    assert response.status_code == 400
    assert response.data["code"] == "ongeldige-invoer"
    assert response.data["detail"] == "Give a number."
    assert response.data["errors"] == {"version": ["Give a number."]}
    assert field_problem(_request(), "postcode", "No.", code="x").data["code"] == "x"


class _Input(serializers.Serializer[Any]):
    n = serializers.IntegerField()

    def validate_n(self, value: int) -> int:
        if value > self.context.get("max", 10):
            raise serializers.ValidationError("too big")
        return value


def test_validated_gives_the_validated_data_or_raises_a_validation_error() -> None:
    assert validated(_Input, {"n": "3"}) == {"n": 3}
    with pytest.raises(ValidationError) as raised:
        validated(_Input, {"n": "x"})
    assert "n" in raised.value.detail
    with pytest.raises(ValidationError):
        validated(_Input, {"n": 5}, context={"max": 4})


def test_absolute_url_uses_the_request_of_the_context_when_there_is_one() -> None:
    assert absolute_url({}, "/a/b") == "/a/b"
    assert absolute_url({"request": _request()}, "/a/b") == "http://testserver/a/b"


def test_a_code_name_subclass_has_code_and_name() -> None:
    class ThingSerializer(CodeNameSerializer):
        pass

    data = ThingSerializer({"code": "GM0090", "name": "Smallingerland", "other": 1}).data
    assert json.loads(json.dumps(data)) == {"code": "GM0090", "name": "Smallingerland"}


def test_with_problems_describes_a_status_as_told_else_generically() -> None:
    responses = with_problems({200: "ok"}, 400, 404, descriptions={404: "Unknown code."})
    assert list(responses) == [200, (400, PROBLEM_CONTENT_TYPE), (404, PROBLEM_CONTENT_TYPE)]
    assert responses[(400, PROBLEM_CONTENT_TYPE)] is PROBLEM_RESPONSE
    assert responses[(404, PROBLEM_CONTENT_TYPE)].description == "Unknown code."
    assert responses[(404, PROBLEM_CONTENT_TYPE)].response is ProblemSerializer
