"""Which pathway a municipality gets: its own, else a regional default, else the national one."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kansrijk.accounts.roles import Role
from kansrijk.coalitions.models import CoalitionScope
from kansrijk.pathways import services
from kansrijk.pathways.exceptions import InvalidPathway, InvalidPhase
from kansrijk.pathways.models import Pathway, PathwayScope, StepKind
from kansrijk.pathways.resolution import resolve_pathway, resolve_pathways, resolve_summaries
from kansrijk.pathways.selectors import pathway_overview
from kansrijk.places.exceptions import UnknownMunicipality
from kansrijk.places.models import Municipality
from kansrijk.situations.models import Situation
from tests.pathways.conftest import make_coalition, make_editor, make_pathway, step

pytestmark = pytest.mark.django_db

FRYSLAN = "GG7206"


@pytest.fixture
def layers(smallingerland, service):
    """Smallingerland's own pathway for money worries; a regional default for GGD Fryslân
    (smoking); national defaults for money worries, smoking and domestic violence."""
    fryslan = list(
        Municipality.objects.filter(ggd_region_id=FRYSLAN).values_list("code", flat=True)
    )
    regional = make_coalition("Regio Fryslân", fryslan, scope=CoalitionScope.REGIONAL)
    national = make_coalition("Landelijk", [], scope=CoalitionScope.NATIONAL)
    own = make_pathway(
        smallingerland,
        title="Geldzorgen Smallingerland",
        steps=[
            step(StepKind.DISCUSS, "Bespreek"),
            step(StepKind.REFER, "Verwijs", service),
            step(StepKind.URGENT_SAFETY, "Bij acuut gevaar: Veilig Thuis"),
        ],
    )
    region = make_pathway(
        regional,
        situation="roken",
        scope=PathwayScope.REGIONAL,
        municipalities=fryslan,
        title="Roken Fryslân",
    )
    national_paths = {
        code: make_pathway(
            national,
            situation=code,
            scope=PathwayScope.NATIONAL,
            municipalities=[],
            phases=["preconception", "pregnancy", "postnatal"],
            title=f"Landelijk {code}",
        )
        for code in ("geldzorgen", "roken", "huiselijk-geweld")
    }
    return {"own": own, "regional": region, "national": national_paths}


def test_the_own_pathway_wins(layers):
    result = resolve_pathway(municipality="GM0090", situation="geldzorgen", phase="pregnancy")
    assert result is not None
    assert result.fallback is None
    assert result.pathway == layers["own"]
    assert result.url == "/zorgpaden/GM0090/geldzorgen/pregnancy/"


def test_a_regional_default_is_marked(layers):
    result = resolve_pathway(municipality="GM0090", situation="roken", phase="pregnancy")
    assert result is not None
    assert result.fallback == "regional"
    assert result.pathway == layers["regional"]


def test_the_national_default_is_marked(layers):
    # Another phase: Smallingerland's own pathway is only for pregnancy.
    result = resolve_pathway(municipality="GM0090", situation="geldzorgen", phase="postnatal")
    assert result is not None
    assert result.fallback == "national"
    # Rotterdam is outside the Fryslân region.
    result = resolve_pathway(municipality="GM0599", situation="roken", phase="pregnancy")
    assert result is not None
    assert result.fallback == "national"
    assert result.pathway == layers["national"]["roken"]


def test_nothing_when_no_pathway_applies(layers):
    assert (
        resolve_pathway(municipality="GM0599", situation="taalbarriere", phase="pregnancy") is None
    )
    assert (
        resolve_pathway(municipality="GM0090", situation="bestaat-niet", phase="pregnancy") is None
    )


def test_drafts_are_never_served(smallingerland):
    make_pathway(smallingerland, publish=False)
    assert resolve_pathway(municipality="GM0090", situation="geldzorgen", phase="pregnancy") is None


def test_urgent_safety_comes_first(layers):
    result = resolve_pathway(municipality="GM0090", situation="geldzorgen", phase="pregnancy")
    assert [s.kind for s in result.version.ordered_steps] == [
        StepKind.URGENT_SAFETY,
        StepKind.DISCUSS,
        StepKind.REFER,
    ]


def test_bad_input_raises(layers):
    with pytest.raises(UnknownMunicipality):
        resolve_pathway(municipality="GM9999", situation="geldzorgen", phase="pregnancy")
    with pytest.raises(InvalidPhase):
        resolve_pathway(municipality="GM0090", situation="geldzorgen", phase="later")


def test_resolve_pathways_takes_a_constant_number_of_queries(layers, django_assert_num_queries):
    one = ["geldzorgen"]
    many = list(Situation.objects.values_list("code", flat=True))
    with CaptureQueriesContext(connection) as few:
        resolve_pathways(municipality="GM0090", situations=one, phase="pregnancy")
    with CaptureQueriesContext(connection) as lots:
        result = resolve_pathways(municipality="GM0090", situations=many, phase="pregnancy")
    assert len(few) == len(lots) == 3
    assert set(result) == set(many)
    assert result["geldzorgen"].fallback is None
    assert result["roken"].fallback == "regional"
    assert result["huiselijk-geweld"].fallback == "national"
    assert result["taalbarriere"] is None
    # Everything the pathway page shows is loaded: no more queries.
    smallingerland = Municipality.objects.get(code="GM0090")
    with CaptureQueriesContext(connection) as light:
        titles = resolve_pathways(
            municipality=smallingerland,
            situations=many,
            phase="pregnancy",
            with_steps=False,
        )
    assert len(light) == 1
    assert titles["roken"].fallback == "regional"
    with django_assert_num_queries(0):
        for resolved in result.values():
            if resolved:
                for item in resolved.version.ordered_steps:
                    if item.service:
                        list(item.service.referral_methods.all())
                        str(item.service.organization)
                str(resolved.pathway.coalition)


def test_overview_and_summaries(layers, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        rows = pathway_overview(municipality="GM0090")
    by_code = {row.situation.code: row for row in rows}
    assert by_code["geldzorgen"].cells["pregnancy"].fallback is None
    assert by_code["geldzorgen"].cells["postnatal"].fallback == "national"
    assert by_code["roken"].cells["pregnancy"].fallback == "regional"
    assert by_code["taalbarriere"].cells["pregnancy"] is None
    with django_assert_max_num_queries(3):
        summaries = resolve_summaries(municipality="GM0090", phases=["pregnancy"])
    assert {(s.situation_code, s.fallback) for s in summaries} == {
        ("geldzorgen", None),
        ("roken", "regional"),
        ("huiselijk-geweld", "national"),
    }


def test_a_municipality_cannot_have_two_own_pathways_for_one_situation_and_phase(
    smallingerland, editor_smallingerland
):
    make_pathway(smallingerland)
    with pytest.raises(InvalidPathway) as error:
        services.create_pathway(
            user=editor_smallingerland,
            coalition=smallingerland,
            situation=Situation.objects.get(code="geldzorgen"),
            scope=PathwayScope.MUNICIPAL,
            municipalities=list(Municipality.objects.filter(code="GM0090")),
            phases=["pregnancy"],
            title="Nog een",
        )
    assert "municipalities" in error.value.message_dict
    # Another phase is fine.
    services.create_pathway(
        user=editor_smallingerland,
        coalition=smallingerland,
        situation=Situation.objects.get(code="geldzorgen"),
        scope=PathwayScope.MUNICIPAL,
        municipalities=list(Municipality.objects.filter(code="GM0090")),
        phases=["postnatal"],
        title="Na de geboorte",
    )


def test_coverage_rules(smallingerland, editor_smallingerland):
    geld = Situation.objects.get(code="geldzorgen")
    huilbaby = Situation.objects.get(code="huilbaby")
    rotterdam = list(Municipality.objects.filter(code="GM0599"))
    cases = [
        (
            {
                "situation": geld,
                "scope": PathwayScope.MUNICIPAL,
                "municipalities": rotterdam,
                "phases": ["pregnancy"],
            },
            "municipalities",
        ),
        (
            {
                "situation": geld,
                "scope": PathwayScope.MUNICIPAL,
                "municipalities": [],
                "phases": ["pregnancy"],
            },
            "municipalities",
        ),
        (
            {
                "situation": geld,
                "scope": PathwayScope.NATIONAL,
                "municipalities": [],
                "phases": ["pregnancy"],
            },
            "scope",
        ),
        (
            {
                "situation": huilbaby,
                "scope": PathwayScope.MUNICIPAL,
                "municipalities": list(Municipality.objects.filter(code="GM0090")),
                "phases": ["pregnancy"],
            },
            "phases",
        ),
        (
            {
                "situation": geld,
                "scope": PathwayScope.MUNICIPAL,
                "municipalities": list(Municipality.objects.filter(code="GM0090")),
                "phases": [],
            },
            "phases",
        ),
    ]
    for kwargs, field in cases:
        with pytest.raises(InvalidPathway) as error:
            services.create_pathway(
                user=editor_smallingerland, coalition=smallingerland, title="X", **kwargs
            )
        assert field in error.value.message_dict, kwargs
    protective = Situation.objects.filter(kind="protective").first()
    with pytest.raises(InvalidPathway) as error:
        services.create_pathway(
            user=editor_smallingerland,
            coalition=smallingerland,
            situation=protective,
            scope=PathwayScope.MUNICIPAL,
            municipalities=list(Municipality.objects.filter(code="GM0090")),
            phases=["pregnancy"],
            title="X",
        )
    assert "situation" in error.value.message_dict
    assert not smallingerland.pathways.exists()


def test_a_shared_pathway_covers_each_of_its_municipalities(smallingerland):
    shared = make_pathway(smallingerland, municipalities=["GM0090", "GM0086"])
    for code in ("GM0090", "GM0086"):
        result = resolve_pathway(municipality=code, situation="geldzorgen", phase="pregnancy")
        assert result.pathway == shared
        assert result.fallback is None


def test_administrators_edit_only_the_coalitions_of_their_scope(catalogue):
    """Issue 12, point 3: an administrator edits the pathways of coalitions in their own
    municipalities or led by their organisation — not every coalition's (as it was)."""
    from kansrijk.coalitions.models import Coalition
    from tests.factories import OrganisationFactory

    own = OrganisationFactory(name="Gemeente Smallingerland")
    own.municipalities.set(Municipality.objects.filter(code="GM0090"))
    other_lead = OrganisationFactory(name="Landelijk team")
    national = make_coalition("Landelijk", [], scope=CoalitionScope.NATIONAL, lead=other_lead)
    ours = make_coalition("Smallingerland", ["GM0090"])
    led = make_coalition("Regio met eigen trekker", ["GM0086"], lead=own)
    make_coalition("Elders", ["GM0086"])
    administrator = make_editor([], role=Role.ADMINISTRATOR, organisation=own)
    editable = set(Coalition.objects.editable_by(administrator))
    assert editable == {ours, led}
    assert not Pathway.objects.editable_by(administrator).filter(coalition=national).exists()
    operator = make_editor([], role=Role.ADMINISTRATOR)
    operator.is_superuser = True
    operator.save()
    assert Coalition.objects.editable_by(operator).count() == 4


def test_editors_of_a_region_and_lead_organisation(catalogue):
    from kansrijk.coalitions.models import Coalition
    from tests.factories import OrganisationFactory

    lead = OrganisationFactory(name="Landelijk team")
    national = make_coalition("Landelijk", [], scope=CoalitionScope.NATIONAL, lead=lead)
    local = make_coalition("Lokaal", ["GM0090"])
    national_editor = make_editor([], organisation=lead)
    local_editor = make_editor(["GM0090"])
    coordinator = make_editor(["GM0090"], role="coalition_coordinator")
    assert list(Coalition.objects.editable_by(national_editor)) == [national]
    assert list(Coalition.objects.editable_by(local_editor)) == [local]
    assert not Coalition.objects.editable_by(coordinator).exists()
    assert list(Coalition.objects.with_member(coordinator, "coalition_coordinator")) == [local]
    from kansrijk.coalitions.selectors import coalition_members

    assert list(coalition_members(national)) == [national_editor]
    assert list(coalition_members(local)) == [local_editor]


def test_the_kept_table_is_what_the_queryset_gives(layers):
    """A municipality's table is filled with SQL compiled once per process
    (``core.compiled``); it chooses what ``candidates`` (the queryset, run by the ORM)
    chooses, with the same values, for a second municipality too (the SQL kept)."""
    from kansrijk.core.phases import PHASE_FIELDS
    from kansrijk.pathways.resolution import candidates, municipality_pathways

    for code in ("GM0090", "GM0086", "GM0014"):
        municipality = Municipality.objects.get(code=code)
        table = municipality_pathways(code)
        assert table.name == municipality.name
        expected = candidates(municipality, None, list(PHASE_FIELDS))
        assert expected  # the national defaults at least
        assert table.choices == expected
    assert municipality_pathways("GM0090").get("geldzorgen", "pregnancy").title == (
        "Geldzorgen Smallingerland"
    )
