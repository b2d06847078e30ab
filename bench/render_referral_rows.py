"""The inbox's rows: Django's template against the rows written out in Python
(``referrals_tags.referral_rows``), for a page of 50 rows — the measurement behind
docs/adr/0004-referral-list-rows-in-python.md.

    uv run python bench/render_referral_rows.py

No database: the rows are unsaved model instances. Milliseconds per page, median of 200 pages
after a warm-up, in Dutch.
"""

from __future__ import annotations

import os
import statistics
import time
import uuid


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "kansrijk.conf.test"
    import django

    django.setup()
    from django.template.loader import render_to_string
    from django.utils import timezone, translation

    from kansrijk.accounts.models import Organisation
    from kansrijk.directory.models import Service
    from kansrijk.referrals.models import Referral
    from kansrijk.referrals.selectors import ReferralRow
    from kansrijk.referrals.templatetags.referrals_tags import referral_rows

    sender = Organisation(name="Verloskundigenpraktijk Drachten")
    service = Service(name="Prenataal huisbezoek JGZ", response_time_days=5)
    rows = []
    for n in range(50):
        referral = Referral(
            id=uuid.uuid4(),
            reference=f"KR-2026-{n:05d}",
            kind="prenatal_home_visit" if n % 2 else "general",
            status="requested" if n % 3 else "accepted",
            urgency="urgent" if n % 5 == 0 else "routine",
            sent_at=timezone.now(),
        )
        referral.sender_organisation = sender
        referral.service = service
        rows.append(ReferralRow(referral, n % 9, 5, None, n % 7 == 0))

    def per_page(render: object) -> float:
        timings = []
        for _ in range(220):
            started = time.perf_counter()
            render()  # type: ignore[operator]
            timings.append((time.perf_counter() - started) * 1000)
        return statistics.median(timings[20:])

    with translation.override("nl"):
        template = per_page(
            lambda: render_to_string(
                "referrals/includes/_list_rows.html", {"rows": rows, "side": "inbox"}
            )
        )
        by_hand = per_page(lambda: referral_rows(rows, "inbox"))
    print(f"50 rows, Django template: {template:6.2f} ms")
    print(f"50 rows, by hand:         {by_hand:6.2f} ms")


if __name__ == "__main__":
    main()
