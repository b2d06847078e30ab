"""Reads of the catalogue: by phase, search (accents and synonyms), one by code."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from pytest_django import DjangoAssertNumQueries

from kansrijk.situations.exceptions import (
    InvalidKind,
    InvalidPhase,
    UnknownDomain,
    UnknownSituation,
)
from kansrijk.situations.models import LifeDomain, Situation
from kansrijk.situations.selectors import (
    get_situation,
    life_domains,
    list_situations,
    search_situations,
    situations_for_phase,
)

pytestmark = pytest.mark.usefixtures("catalogue")


def codes(queryset: object) -> list[str]:
    return [s.code for s in queryset]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("taalbarrière", "taalbarriere"),
        ("TAALBARRIERE", "taalbarriere"),
        ("Taalbarriere", "taalbarriere"),
        ("schulden", "geldzorgen"),
        ("armoede", "geldzorgen"),
        ("financiele problemen", "geldzorgen"),
        ("sigaret", "roken"),
        ("e-sigaret", "roken"),
        ("Veilig Thuis", "huiselijk-geweld"),
        ("kindermishandeling", "huiselijk-geweld"),
        ("dakloos", "dakloosheid"),
        ("asielzoeker", "vluchtelingen"),
        ("LVB", "lvb"),
        ("tienermoeder", "tienerzwangerschap"),
        ("postnatale depressie", "psychische-problemen"),
        ("huiselijk-geweld", "huiselijk-geweld"),
    ],
)
def test_search_finds_names_codes_and_synonyms(text: str, expected: str) -> None:
    assert expected in codes(search_situations(text))


def test_search_puts_name_matches_first_and_needs_every_word() -> None:
    found = codes(search_situations("stress"))
    assert found[0] == "stress"
    assert "geldzorgen" not in codes(search_situations("schulden sigaret"))
    assert codes(search_situations("roken", kind="protective")) == ["gezonde-leefstijl"]
    assert codes(search_situations("onbedoeld", phase="postnatal")) == []


def test_search_without_words_gives_everything_active() -> None:
    assert search_situations("").count() == 41
    assert search_situations("  ,. ").count() == 41
    Situation.objects.filter(code="roken").update(is_active=False)
    assert search_situations("").count() == 40
    assert "roken" not in codes(search_situations("sigaret"))


def test_search_text_follows_the_synonyms() -> None:
    situation = Situation.objects.get(code="huilbaby")
    situation.synonyms = [*situation.synonyms, "Krijsen"]
    situation.save(update_fields=["synonyms"])
    assert codes(search_situations("krijsen")) == ["huilbaby"]


def test_for_phase() -> None:
    postnatal = codes(situations_for_phase("postnatal"))
    assert "huilbaby" in postnatal
    assert "onbedoelde-zwangerschap" not in postnatal
    before = codes(situations_for_phase("preconception", kind="risk"))
    assert "huilbaby" not in before
    assert "geldzorgen" in before
    assert "warmte-en-affectie" not in before
    with pytest.raises(InvalidPhase):
        situations_for_phase("later")
    with pytest.raises(ValueError, match="Kies een fase"):
        Situation.objects.for_phase("later")


def test_lists_come_in_catalogue_order_with_their_domain(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_num_queries(1):
        rows = list(situations_for_phase("pregnancy"))
        names = [s.domain.name for s in rows]
    assert names[0] == "Geld en werk"
    positions = [(s.domain.position, s.position) for s in rows]
    assert positions == sorted(positions)


def test_list_filters() -> None:
    assert set(codes(list_situations(domain="wonen"))) == {
        "huisvesting",
        "dakloosheid",
        "voorzieningen-in-de-buurt",
    }
    wonen = LifeDomain.objects.get(code="wonen")
    assert list_situations(domain=wonen, kind="risk").count() == 2
    with pytest.raises(UnknownDomain):
        list_situations(domain="nergens")
    with pytest.raises(InvalidKind):
        list_situations(kind="neutraal")
    Situation.objects.filter(code="roken").update(is_active=False)
    assert "roken" in codes(list_situations(include_inactive=True))
    assert "roken" not in codes(list_situations())
    assert [d.code for d in life_domains()][:2] == ["geld-en-werk", "wonen"]


def test_get_situation() -> None:
    situation = get_situation("geldzorgen")
    assert situation.name == "Geldzorgen en schulden"
    assert situation.domain.code == "geld-en-werk"
    assert situation.is_risk
    assert get_situation(" GELDZORGEN ").pk == situation.pk
    with pytest.raises(UnknownSituation) as error:
        get_situation("bestaat-niet")
    assert isinstance(error.value, LookupError)
    assert error.value.code == "onbekende-situatie"
    Situation.objects.filter(code="roken").update(is_active=False)
    with pytest.raises(UnknownSituation):
        get_situation("roken")
    assert get_situation("roken", include_inactive=True).code == "roken"


def test_model_rules() -> None:
    situation = Situation.objects.get(code="roken")
    assert situation.get_phases_display() == [
        "Voor de zwangerschap",
        "Zwangerschap",
        "Na de geboorte",
    ]
    situation.phase_preconception = situation.phase_pregnancy = situation.phase_postnatal = False
    situation.synonyms = "geen lijst"
    with pytest.raises(ValidationError) as error:
        situation.full_clean()
    assert set(error.value.message_dict) >= {"phase_preconception", "synonyms"}
    assert error.value.message_dict["phase_preconception"] == ["Kies minstens één fase."]
