"""The shared domain errors (``core.errors``)."""

from __future__ import annotations

from django.utils import translation

from kansrijk.pathways.exceptions import InvalidPathway, InvalidPhase, PathwayError
from kansrijk.situations.exceptions import SituationsError, UnknownSituation


def test_an_unknown_value_keeps_the_value_and_names_it_in_the_active_language() -> None:
    with translation.override("en"):
        error = UnknownSituation("geen-code")
    assert error.value == "geen-code"
    assert error.code == "onbekende-situatie"
    assert str(error) == (
        "geen-code is not a known situation. Use a code such as geldzorgen or roken."
    )
    assert isinstance(error, SituationsError)
    assert isinstance(error, LookupError)
    with translation.override("nl"):
        dutch = InvalidPhase("later")
    assert isinstance(dutch, PathwayError)
    assert isinstance(dutch, ValueError)
    assert str(dutch).startswith("later ")
    assert "phase" not in str(dutch)  # the Dutch catalogue's message


def test_an_input_error_gives_its_messages_per_field_and_all_in_one_list() -> None:
    error = InvalidPathway({"title": ["Too long.", "Not unique."], "steps": ["No steps."]})
    assert error.message_dict == {"title": ["Too long.", "Not unique."], "steps": ["No steps."]}
    assert error.messages == ["Too long.", "Not unique.", "No steps."]
