"""The demo workspace: the coalitions of Smallingerland, Rotterdam and Heerlen with every demo
organisation of their municipality as a member, an Analysetool round with results compared to
the previous one, actions (one overdue, one on the geldzorgen pathway), a journey per phase and
a referral network drawn from the demo referrals of its municipality — all demo; a second run
changes nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kansrijk.accounts.models import Organisation, User
from kansrijk.assessments.models import Round
from kansrijk.assessments.selectors import compute_results, previous_round
from kansrijk.coalitions import demo, network
from kansrijk.coalitions.access import access_for
from kansrijk.coalitions.models import (
    Coalition,
    ContactPerson,
    ImprovementAction,
    Journey,
    Member,
)
from kansrijk.core.demo import run_demo_loaders
from kansrijk.core.phases import Phase


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_workspace(places: None) -> None:
    # The loaders it builds on, and its own (not the monitor's, which comes after it).
    run_demo_loaders(through="kansrijk.coalitions.demo.load")
    counts = (
        Member.objects.count(),
        Round.objects.count(),
        ImprovementAction.objects.count(),
        Journey.objects.count(),
        ContactPerson.objects.count(),
    )
    demo.load()  # again: nothing new
    assert counts == (
        Member.objects.count(),
        Round.objects.count(),
        ImprovementAction.objects.count(),
        Journey.objects.count(),
        ContactPerson.objects.count(),
    )
    today = timezone.localdate()
    for name, code, slug in demo.TOWNS:
        coalition = Coalition.objects.get(name=name)
        demo_orgs = set(
            Organisation.objects.filter(is_demo=True, municipalities__code=code).values_list(
                "pk", flat=True
            )
        )
        members = set(coalition.members.values_list("organisation_id", flat=True))
        assert demo_orgs <= members, name
        assert {"medical", "social", "informal", "municipality"} <= set(
            coalition.members.values_list("domain", flat=True)
        )
        latest = coalition.assessment_rounds.order_by("-opened_on").first()
        assert latest is not None
        assert latest.is_demo
        assert latest.instrument_version.instrument.code == "analysetool"
        results = compute_results(latest)
        assert not results.suppressed
        assert previous_round(latest) is not None
        actions = list(coalition.actions.all())
        assert all(a.is_demo for a in actions)
        assert sum(a.is_overdue(today) for a in actions) == 1
        assert any(p.situation.code == "geldzorgen" for a in actions for p in a.pathways.all())
        assert set(coalition.journeys.values_list("phase", flat=True)) == set(Phase.values)
        assert all(j.is_demo for j in coalition.journeys.all())
        coordinator = User.objects.get(username=f"coordinator.{slug}")
        access = access_for(coordinator, coalition.pk)
        assert access is not None
        assert access.coordinates
        drawn = network.build(access, *network.default_period())
        assert drawn.nodes
        assert drawn.edges, f"{name}: the demo referrals drawn"
