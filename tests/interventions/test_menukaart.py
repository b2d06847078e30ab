"""The menukaart data and its loader: contents, defaults that are not invented, idempotence,
validation, linking demo services, the command and the demo order."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kansrijk.core.demo import DEMO_LOADERS
from kansrijk.interventions.exceptions import MenukaartError
from kansrijk.interventions.models import (
    BuildingBlock,
    FinancingLaw,
    Intervention,
    RecognitionLevel,
)
from kansrijk.interventions.services import MENUKAART_FILE, link_demo_services, load_menukaart
from kansrijk.situations.models import Situation
from tests.directory.factories import ServiceFactory

pytestmark = pytest.mark.django_db

NAMED_IN_THE_BRIEF = {
    "Nu Niet Zwanger": ("nu-niet-zwanger", 1, ["preconception"]),
    "VoorZorg": ("voorzorg", 2, ["pregnancy", "postnatal"]),
    "Stevig Ouderschap": ("stevig-ouderschap", 2, ["postnatal"]),
    "CenteringPregnancy": ("centeringpregnancy", 2, ["pregnancy"]),
    "Centering Parenting": ("centering-parenting", 2, ["postnatal"]),
    "Samen Starten": ("samen-starten", 2, ["postnatal"]),
    "Home-Start": ("home-start", 2, ["postnatal"]),
    "Moeders Informeren Moeders": ("moeders-informeren-moeders", 2, ["postnatal"]),
    "Prenataal huisbezoek JGZ": ("prenataal-huisbezoek-jgz", 2, ["pregnancy"]),
    "Rookvrije Start": ("rookvrije-start", 2, ["preconception", "pregnancy", "postnatal"]),
    "ZwangerWijzer": ("zwangerwijzer", 1, ["preconception"]),
    "Gezond Zwanger Worden": ("gezond-zwanger-worden", 1, ["preconception"]),
}


def _file_data() -> dict[str, Any]:
    return json.loads(MENUKAART_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "menukaart.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_menukaart_loads(catalogue: None) -> None:
    result = load_menukaart()
    assert result.created == 23
    assert Intervention.objects.count() == 23
    per_block = {
        block: Intervention.objects.filter(building_block=block).count()
        for block in BuildingBlock.values
    }
    assert per_block == {1: 8, 2: 10, 3: 5}
    for name, (slug, block, phases) in NAMED_IN_THE_BRIEF.items():
        intervention = Intervention.objects.get(slug=slug)
        assert intervention.name == name
        assert intervention.building_block == block
        assert intervention.phases == phases
    for intervention in Intervention.objects.prefetch_related("situations"):
        assert intervention.phases, intervention.slug
        assert intervention.situations.exists(), intervention.slug
        assert intervention.description, intervention.slug
        assert intervention.target_group, intervention.slug
        assert intervention.source, intervention.slug
        assert intervention.code == intervention.slug
        assert intervention.search_text


def test_recognition_and_financing_are_not_invented(catalogue: None) -> None:
    load_menukaart()
    # The sources state no recognition level for any intervention.
    assert set(Intervention.objects.values_list("recognition", flat=True)) == {
        RecognitionLevel.NOT_ASSESSED
    }
    assert not Intervention.objects.exclude(recognition_source="").exists()
    # Only the prenatal home visit has a law in the sources: the Wpg.
    financed = {i.slug: i.financing_laws for i in Intervention.objects.exclude(financing_laws=[])}
    assert financed == {"prenataal-huisbezoek-jgz": [FinancingLaw.WPG]}
    phb = Intervention.objects.get(slug="prenataal-huisbezoek-jgz")
    assert phb.get_financing_laws_display() == ["Wpg (Wet publieke gezondheid)"]
    assert phb.get_recognition_display() == "Niet beoordeeld"


def test_situations_addressed(catalogue: None) -> None:
    load_menukaart()
    nnz = Intervention.objects.get(slug="nu-niet-zwanger")
    assert {"onbedoelde-zwangerschap", "verslaving", "lvb"} <= set(
        nnz.situations.values_list("code", flat=True)
    )
    assert list(
        Intervention.objects.get(slug="rookvrije-start").situations.values_list("code", flat=True)
    ) == ["roken"]


def test_loading_the_catalogue_first_when_it_is_empty(db: None) -> None:
    assert not Situation.objects.exists()
    load_menukaart()
    assert Situation.objects.count() == 41
    assert Intervention.objects.count() == 23


def test_loading_twice_changes_nothing(catalogue: None) -> None:
    load_menukaart()
    before = list(Intervention.objects.order_by("slug").values())
    result = load_menukaart()
    assert result.as_dict() == {
        "total": 23,
        "created": 0,
        "updated": 0,
        "unchanged": 23,
        "not_in_source": 0,
        "service_links_added": 0,
    }
    assert list(Intervention.objects.order_by("slug").values()) == before


def test_reload_restores_facts_but_keeps_what_the_file_does_not_state(catalogue: None) -> None:
    load_menukaart()
    voorzorg = Intervention.objects.get(slug="voorzorg")
    voorzorg.name = "Voorzorg (oud)"
    voorzorg.recognition = RecognitionLevel.EFFECTIVE_GOOD
    voorzorg.recognition_source = "https://example.org/databank/voorzorg"
    voorzorg.financing_laws = [FinancingLaw.JEUGDWET]
    voorzorg.save()
    voorzorg.situations.clear()
    Intervention.objects.create(
        slug="lokaal", name="Lokaal", building_block=3, phase_postnatal=True
    )

    result = load_menukaart()
    assert result.updated == 1
    assert result.not_in_source == 1
    voorzorg.refresh_from_db()
    assert voorzorg.name == "VoorZorg"
    assert voorzorg.situations.exists()
    assert voorzorg.recognition == RecognitionLevel.EFFECTIVE_GOOD
    assert voorzorg.recognition_source == "https://example.org/databank/voorzorg"
    assert voorzorg.financing_laws == [FinancingLaw.JEUGDWET]
    assert Intervention.objects.filter(slug="lokaal").exists()


def test_a_level_stated_in_the_file_is_written(catalogue: None, tmp_path: Path) -> None:
    data = _file_data()
    data["interventions"][0]["recognition"] = "well_described"
    data["interventions"][0]["recognition_source"] = "https://example.org/databank"
    load_menukaart(_write(tmp_path, data))
    first = Intervention.objects.get(slug=data["interventions"][0]["slug"])
    assert first.recognition == RecognitionLevel.WELL_DESCRIBED
    assert first.is_assessed


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["interventions"].append(copy.deepcopy(d["interventions"][0])),
            "duplicate slug",
        ),
        (
            lambda d: d["interventions"][0].update(situations=["bestaat-niet"]),
            "unknown situations bestaat-niet",
        ),
        (lambda d: d["interventions"][0].update(building_block=4), "building_block must be"),
        (lambda d: d["interventions"][0].update(recognition="heel goed"), "recognition must be"),
        (lambda d: d["interventions"][0].update(financing_laws=["wet"]), "financing_laws must be"),
        (lambda d: d["interventions"][0].update(phases=[]), "phases must be"),
        (lambda d: d["interventions"][0].update(url="geen adres"), "is not a web address"),
        (lambda d: d["interventions"][0].update(provider_kind="tovenaar"), "provider_kind must be"),
        (lambda d: d["interventions"][0].update(slug="Nu Niet"), "is not a slug"),
        (lambda d: d["interventions"][0].update(match="NNZ"), "match must be a list"),
        (lambda d: d["interventions"][0].pop("name"), "missing name"),
        (lambda d: d["interventions"][0].update(extra=True), "unknown keys extra"),
        (lambda d: d.pop("interventions"), "list 'interventions'"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_changes(
    catalogue: None, tmp_path: Path, change: Any, message: str
) -> None:
    load_menukaart()
    Intervention.objects.filter(slug="voorzorg").update(name="Bewerkt")
    data = _file_data()
    change(data)
    with pytest.raises(MenukaartError, match=message):
        load_menukaart(_write(tmp_path, data))
    assert Intervention.objects.get(slug="voorzorg").name == "Bewerkt"
    assert Intervention.objects.count() == 23


def test_a_missing_or_broken_file_is_refused(catalogue: None, tmp_path: Path) -> None:
    with pytest.raises(MenukaartError, match="not found"):
        load_menukaart(tmp_path / "nope.json")
    broken = tmp_path / "broken.json"
    broken.write_text("[", encoding="utf-8")
    with pytest.raises(MenukaartError, match="not valid JSON"):
        load_menukaart(broken)
    assert not Intervention.objects.exists()


def test_demo_services_are_linked_by_name(places: None, catalogue: None) -> None:
    centering = ServiceFactory(name="CenteringZwangerschap", is_demo=True)
    nnz = ServiceFactory(name="Nu Niet Zwanger", is_demo=True, municipalities=["GM0599"])
    preconception = ServiceFactory(name="Kinderwensspreekuur (preconceptieconsult)", is_demo=True)
    real = ServiceFactory(name="Nu Niet Zwanger GGD", is_demo=False)
    defunct = ServiceFactory(name="VoorZorg", is_demo=True, status="defunct")
    unrelated = ServiceFactory(name="Administratie MIM-team", is_demo=True)

    result = load_menukaart()
    assert result.service_links_added == 3
    assert list(Intervention.objects.get(slug="centeringpregnancy").services.all()) == [centering]
    assert list(Intervention.objects.get(slug="nu-niet-zwanger").services.all()) == [nnz]
    assert list(Intervention.objects.get(slug="preconceptieconsult").services.all()) == [
        preconception
    ]
    assert not real.interventions.exists()
    assert not defunct.interventions.exists()
    assert not unrelated.interventions.exists()

    # A link made by hand stays; a reload adds nothing twice.
    Intervention.objects.get(slug="home-start").services.add(real)
    assert load_menukaart().service_links_added == 0
    assert link_demo_services() == 0
    assert real.interventions.count() == 1


def test_with_the_demo_social_map(places: None, catalogue: None) -> None:
    """The real demo loader of the social map: Nu Niet Zwanger and the prenatal home visit are on
    offer in each of the three demo municipalities."""
    from kansrijk.directory.demo import load as load_directory_demo
    from kansrijk.interventions.selectors import available_interventions

    load_directory_demo()
    result = load_menukaart()
    assert result.service_links_added >= 10
    for code in ("GM0090", "GM0599", "GM0917"):
        slugs = {i.slug for i in available_interventions(municipality=code)}
        assert {"nu-niet-zwanger", "prenataal-huisbezoek-jgz"} <= slugs, code


def test_command(catalogue: None, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("load_menukaart", stdout=out)
    assert "interventions: 23 in the file, 23 created" in out.getvalue()
    with pytest.raises(CommandError, match="not found"):
        call_command("load_menukaart", "--file", str(tmp_path / "nope.json"))


def test_the_demo_loads_the_menukaart_after_the_catalogue_and_the_social_map() -> None:
    position = DEMO_LOADERS.index("kansrijk.interventions.services.load_menukaart")
    assert position > DEMO_LOADERS.index("kansrijk.situations.services.load_catalogue")
    if "kansrijk.directory.demo.load" in DEMO_LOADERS:
        assert position > DEMO_LOADERS.index("kansrijk.directory.demo.load")
