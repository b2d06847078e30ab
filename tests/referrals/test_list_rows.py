"""The inbox and sent-list rows written out in Python (``referral_rows``) are byte for byte what
their reference template gives (``referrals/includes/_list_rows.html``): the second
implementation is kept for speed (docs/adr/0004-referral-list-rows-in-python.md) and must never
drift from the template."""

from __future__ import annotations

import datetime

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation

from kansrijk.referrals.models import Status
from kansrijk.referrals.selectors import ReferralRow
from kansrijk.referrals.templatetags.referrals_tags import referral_rows
from tests.referrals.factories import ReferralWorld, make_referral


def _rows(world: ReferralWorld) -> list[ReferralRow]:
    """Rows in every shape a cell can take: a draft (not sent), urgent and routine, waiting
    with and without a response time, overdue, contacted, a referral whose sender is not an
    organisation (a self-referral), a name that needs escaping."""
    draft = make_referral(world, status=Status.DRAFT)
    sent = make_referral(world, status=Status.REQUESTED, urgency="urgent")
    contacted = make_referral(world, status=Status.REQUESTED)
    contacted.first_contact_at = timezone.now()
    herself = make_referral(world, status=Status.REQUESTED)
    herself.sender_organisation = None
    herself.kind = "self_referral"
    herself.service.name = 'Dienst <"JGZ"> & co'
    return [
        ReferralRow(draft, None, None, None, False),
        ReferralRow(sent, 3, 5, datetime.date(2026, 1, 5), False),
        ReferralRow(sent, 7, 5, datetime.date(2026, 1, 5), True),
        ReferralRow(contacted, 1, None, None, False),
        ReferralRow(contacted, 2, None, None, False),
        ReferralRow(herself, 4, 10, None, False),
    ]


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("side", ["inbox", "sent"])
def test_the_rows_in_python_are_the_template_rows(
    world: ReferralWorld, language: str, side: str
) -> None:
    rows = _rows(world)
    with translation.override(language):
        by_hand = str(referral_rows(rows, side))
        by_template = render_to_string(
            "referrals/includes/_list_rows.html", {"rows": rows, "side": side}
        )
    assert by_hand.count("<tr ") == len(rows)
    assert by_hand == by_template


def test_the_rows_follow_the_language_from_one_page_to_the_next(world: ReferralWorld) -> None:
    """The rows' words, waiting times and dates are made once per language and kept: a page in
    another language right after gets its own, never the words kept for the first."""
    rows = _rows(world)
    for language in ["nl", "en", "nl"]:
        with translation.override(language):
            by_hand = str(referral_rows(rows, "inbox"))
            by_template = render_to_string(
                "referrals/includes/_list_rows.html", {"rows": rows, "side": "inbox"}
            )
        assert by_hand == by_template, language
