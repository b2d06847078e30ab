"""How long the access log is kept: the legal minimum, the setting and its override.

NEN 7513:2018 (*Medische informatica — Logging — Vastleggen van acties op elektronische
patiëntdossiers*; binding on care providers through the Besluit elektronische
gegevensverwerking door zorgaanbieders, art. 3) asks that log records be kept for at least
five years. ``AUDIT_RETENTION_DAYS`` may be longer, never shorter — unless the operator sets
``AUDIT_RETENTION_OVERRIDE`` to the reason (e.g. the DPIA that decided it). Then each purge
writes an ``audit.retention.override`` event that says so. Without the override, a setting
below the minimum is refused: by a system check (so ``kansrijk purge-audit`` does not start)
and by the purge itself.

Five years are counted in calendar years: on days when five years hold two leap days the
cutoff moves back a day, so that nothing is removed before it is five years old.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from kansrijk.core.dates import years_before

#: The legal minimum in calendar years (NEN 7513:2018).
MINIMUM_YEARS = 5
#: The smallest ``AUDIT_RETENTION_DAYS`` accepted without an override (5 * 365 + 1 leap day).
MINIMUM_DAYS = MINIMUM_YEARS * 365 + 1


class RetentionBelowMinimum(ImproperlyConfigured):
    """``AUDIT_RETENTION_DAYS`` is below the legal minimum and no override is set."""


@dataclass(frozen=True)
class RetentionPolicy:
    days: int
    #: Why the log is kept shorter than the legal minimum ("": no override).
    override_reason: str = ""

    @property
    def below_minimum(self) -> bool:
        return self.days < MINIMUM_DAYS

    @property
    def overridden(self) -> bool:
        """Whether the override shortens the retention (a reason for a setting that is not
        below the minimum changes nothing)."""
        return self.below_minimum and bool(self.override_reason)

    def check(self) -> None:
        """``RetentionBelowMinimum`` when the setting may not be used."""
        if self.days < 1:
            raise RetentionBelowMinimum(
                f"AUDIT_RETENTION_DAYS must be at least 1 (it is {self.days})."
            )
        if self.below_minimum and not self.override_reason:
            raise RetentionBelowMinimum(
                f"AUDIT_RETENTION_DAYS is {self.days}: below the legal minimum of "
                f"{MINIMUM_DAYS} days ({MINIMUM_YEARS} years, NEN 7513). Set it to at least "
                f"{MINIMUM_DAYS}, or set AUDIT_RETENTION_OVERRIDE to the reason for keeping "
                "the access log shorter (the purge then records the override in the log)."
            )

    def cutoff(self, now: datetime.datetime) -> datetime.datetime:
        """Events from before this moment are past retention."""
        by_days = now - datetime.timedelta(days=self.days)
        if self.overridden:
            return by_days
        return min(by_days, years_before(now, MINIMUM_YEARS))


def current_policy() -> RetentionPolicy:
    """The policy of the current settings."""
    return RetentionPolicy(
        days=int(settings.AUDIT_RETENTION_DAYS),
        override_reason=str(getattr(settings, "AUDIT_RETENTION_OVERRIDE", "") or "").strip(),
    )
