"""The demo pathways: idempotent, marked demo, with a regional and national default."""

from __future__ import annotations

import pytest

from kansrijk.coalitions.models import Coalition
from kansrijk.pathways import demo
from kansrijk.pathways.models import Pathway, PathwayStep, PathwayVersion
from kansrijk.pathways.resolution import resolve_pathway
from kansrijk.situations.models import Situation

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return (
        Coalition.objects.count(),
        Pathway.objects.count(),
        PathwayVersion.objects.count(),
        PathwayStep.objects.count(),
    )


def test_demo_pathways_load_twice_without_change(places):
    from kansrijk.accounts.demo import load as load_accounts
    from kansrijk.directory.demo import load as load_directory

    load_accounts()
    load_directory()
    first = demo.load()
    assert first.created > 0
    assert first.drafts == 0
    before = counts()
    again = demo.load()
    assert again.created == 0
    assert again.published == 0
    assert counts() == before
    assert not Pathway.objects.filter(is_demo=False).exists()
    assert not Coalition.objects.filter(is_demo=False).exists()

    own = resolve_pathway(municipality="GM0090", situation="geldzorgen", phase="pregnancy")
    assert own.fallback is None
    assert any(s.service and s.service.is_demo for s in own.version.ordered_steps)
    regional = resolve_pathway(municipality="GM0090", situation="roken", phase="pregnancy")
    assert regional.fallback == "regional"
    assert (
        resolve_pathway(municipality="GM0599", situation="roken", phase="pregnancy").fallback
        is None
    )
    national = resolve_pathway(municipality="GM0014", situation="geldzorgen", phase="pregnancy")
    assert national.fallback == "national"
    violence = resolve_pathway(
        municipality="GM0917", situation="huiselijk-geweld", phase="pregnancy"
    )
    assert violence.version.ordered_steps[0].is_urgent
    # Every active situation has a national default in every phase it applies to.
    for situation in Situation.objects.filter(kind="risk", is_active=True):
        for phase in situation.phases:
            assert resolve_pathway(municipality="GM0014", situation=situation.code, phase=phase)
    assert Pathway.objects.needing_review().filter(external_key="demo-heerlen-huisvesting").exists()


def test_demo_pathways_without_the_social_map_are_drafts(places):
    result = demo.load()
    assert result.drafts > 0
    assert (
        resolve_pathway(municipality="GM0090", situation="geldzorgen", phase="pregnancy").fallback
        == "national"
    )
