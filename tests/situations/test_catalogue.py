"""The national catalogue: its contents, the loader (idempotent, validating) and the command."""

from __future__ import annotations

import copy
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kansrijk.core.demo import DEMO_LOADERS
from kansrijk.directory.vocabularies import NEED_CATEGORIES
from kansrijk.situations.exceptions import CatalogueError
from kansrijk.situations.models import FactorKind, LifeDomain, Situation
from kansrijk.situations.services import CATALOGUE_FILE, load_catalogue

pytestmark = pytest.mark.django_db

#: The codes other modules rely on. Renaming one breaks pathways, signalled factors and links,
#: so a change here must be deliberate.
RISK_CODES = {
    "geldzorgen",
    "werkloosheid",
    "huisvesting",
    "dakloosheid",
    "roken",
    "alcohol",
    "voeding-en-beweging",
    "verslaving",
    "relatieproblemen",
    "alleenstaand-ouderschap",
    "weinig-netwerk",
    "huiselijk-geweld",
    "criminaliteit",
    "psychische-problemen",
    "stress",
    "lvb",
    "laaggeletterdheid",
    "taalbarriere",
    "vluchtelingen",
    "medische-problemen",
    "erfelijke-aanleg",
    "tienerzwangerschap",
    "onbedoelde-zwangerschap",
    "opvoedvragen",
    "huilbaby",
    "vroeggeboorte",
    "ziek-kind",
}
PROTECTIVE_CODES = {
    "warmte-en-affectie",
    "sensitiviteit",
    "steun-netwerk",
    "goede-partnerrelatie",
    "sociale-vaardigheden",
    "stabiel-inkomen",
    "voorzieningen-in-de-buurt",
    "copingvaardigheden",
    "zelfvertrouwen",
    "gezonde-leefstijl",
    "bewuste-kinderwens",
    "hulp-vragen",
    "vertrouwen-in-zorgverlener",
    "toegankelijke-zorg",
}
DOMAIN_CODES = [
    "geld-en-werk",
    "wonen",
    "leefstijl",
    "gezondheid",
    "psychisch-welzijn",
    "relaties-en-netwerk",
    "veiligheid",
    "taal-en-vaardigheden",
    "migratie",
    "kinderwens-en-zwangerschap",
    "ouderschap-en-kind",
    "zorg-en-hulp",
]


def _file_data() -> dict[str, Any]:
    return json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_catalogue_loads_with_stable_codes() -> None:
    result = load_catalogue()
    assert result.life_domains.created == 12
    assert result.situations.created == 41
    assert (
        list(LifeDomain.objects.order_by("position").values_list("code", flat=True)) == DOMAIN_CODES
    )
    assert set(Situation.objects.risks().values_list("code", flat=True)) == RISK_CODES
    assert set(Situation.objects.protective().values_list("code", flat=True)) == PROTECTIVE_CODES
    assert not Situation.objects.filter(is_active=False).exists()


def test_every_factor_is_complete_and_plain() -> None:
    load_catalogue()
    slug = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
    for situation in Situation.objects.select_related("domain"):
        assert slug.match(situation.code), situation.code
        assert situation.name, situation.code
        assert situation.description, situation.code
        assert situation.synonyms, situation.code
        assert all(isinstance(s, str) for s in situation.synonyms)
        assert situation.phases, situation.code
        assert situation.source, situation.code
        # B1: short sentences.
        for sentence in re.split(r"(?<=[.!?])\s+", situation.description):
            assert len(sentence.split()) <= 25, (situation.code, sentence)


def test_need_categories_match_the_social_map() -> None:
    load_catalogue()
    need_codes = {code for code, *_ in NEED_CATEGORIES}
    for code, need in Situation.objects.values_list("code", "need_category"):
        assert need == "" or need in need_codes, code
    # Where the directory has a category with the same code, the situation points to it.
    for code in RISK_CODES & need_codes:
        assert Situation.objects.get(code=code).need_category == code
    assert Situation.objects.get(code="dakloosheid").need_category == "huisvesting"
    assert not Situation.objects.protective().exclude(need_category="").exists()


@pytest.mark.parametrize(
    ("code", "phases"),
    [
        ("huilbaby", ["postnatal"]),
        ("vroeggeboorte", ["postnatal"]),
        ("onbedoelde-zwangerschap", ["preconception", "pregnancy"]),
        ("alleenstaand-ouderschap", ["pregnancy", "postnatal"]),
        ("geldzorgen", ["preconception", "pregnancy", "postnatal"]),
        ("sensitiviteit", ["postnatal"]),
    ],
)
def test_phases(code: str, phases: list[str]) -> None:
    load_catalogue()
    assert Situation.objects.get(code=code).phases == phases


def test_loading_twice_changes_nothing() -> None:
    load_catalogue()
    before = list(Situation.objects.order_by("code").values())
    result = load_catalogue()
    assert result.situations.as_dict() == {
        "total": 41,
        "created": 0,
        "updated": 0,
        "unchanged": 41,
        "not_in_source": 0,
    }
    assert result.life_domains.unchanged == 12
    assert list(Situation.objects.order_by("code").values()) == before


def test_reload_restores_the_national_text_but_keeps_the_active_flag_and_extra_rows() -> None:
    load_catalogue()
    roken = Situation.objects.get(code="roken")
    roken.name = "Iets anders"
    roken.is_active = False
    roken.save()
    Situation.objects.create(
        code="lokaal-extra", kind=FactorKind.RISK, domain=roken.domain, name="Lokaal"
    )
    result = load_catalogue()
    assert result.situations.updated == 1
    assert result.situations.not_in_source == 1
    roken.refresh_from_db()
    assert roken.name == "Roken"
    assert roken.is_active is False
    assert Situation.objects.filter(code="lokaal-extra").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["situations"].append(copy.deepcopy(d["situations"][0])), "duplicate code"),
        (lambda d: d["situations"][0].update(domain="nergens"), "unknown life domain"),
        (lambda d: d["situations"][0].update(phases=["later"]), "phases must be"),
        (lambda d: d["situations"][0].update(phases=[]), "phases must be"),
        (lambda d: d["situations"][0].update(kind="neutraal"), "kind must be"),
        (lambda d: d["situations"][0].update(code="Geld Zorgen"), "is not a slug"),
        (lambda d: d["situations"][0].update(need_category="bestaat-niet"), "need_category"),
        (lambda d: d["situations"][0].update(synonyms="armoede"), "synonyms must be"),
        (lambda d: d["situations"][0].update(extra=1), "unknown keys extra"),
        (lambda d: d["situations"][0].pop("name"), "missing name"),
        (lambda d: d["life_domains"].append({"code": "wonen", "name": "Dubbel"}), "duplicate code"),
        (lambda d: d.update(situations=[]), "non-empty list"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_changes(
    tmp_path: Path, change: Any, message: str
) -> None:
    load_catalogue()
    Situation.objects.filter(code="roken").update(name="Bewerkt")
    data = _file_data()
    change(data)
    with pytest.raises(CatalogueError, match=message):
        load_catalogue(_write(tmp_path, data))
    assert Situation.objects.get(code="roken").name == "Bewerkt"
    assert Situation.objects.count() == 41


def test_a_missing_or_broken_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="not found"):
        load_catalogue(tmp_path / "nope.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(CatalogueError, match="not valid JSON"):
        load_catalogue(broken)
    assert not Situation.objects.exists()


def test_command(tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("load_situations", stdout=out)
    assert "situations: 41 in the file, 41 created" in out.getvalue()
    out = io.StringIO()
    call_command("load_situations", stdout=out)
    assert "41 unchanged" in out.getvalue()
    with pytest.raises(CommandError, match="not found"):
        call_command("load_situations", "--file", str(tmp_path / "nope.json"))


def test_the_demo_loads_the_catalogue_right_after_the_accounts() -> None:
    loader = "kansrijk.situations.services.load_catalogue"
    assert DEMO_LOADERS.index(loader) == DEMO_LOADERS.index("kansrijk.accounts.demo.load") + 1
