"""The phases of the first 1000 days, one vocabulary for every app.

Services (directory), situations, interventions, pathways, referrals and signalling all speak of
the same three phases; the ones that store them as a boolean per phase use the field names of
``PHASE_FIELDS``. A leaf module: it imports nothing of the project.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["INVALID_PHASE_MESSAGE", "PHASE_FIELDS", "PHASE_FIELD_NAMES", "HasPhases", "Phase"]


class Phase(models.TextChoices):
    """The phases of the first 1000 days, in life order."""

    PRECONCEPTION = "preconception", _("Before pregnancy")
    PREGNANCY = "pregnancy", _("Pregnancy")
    POSTNATAL = "postnatal", _("After birth")


#: The answer to a phase code that is not one of ``Phase`` (an API parameter, a filter).
INVALID_PHASE_MESSAGE = _("Choose a phase: preconception, pregnancy or postnatal.")


#: The boolean field for each phase on the models that hold phases as flags (Service,
#: Situation, Intervention, Pathway), in life order.
PHASE_FIELDS: dict[str, str] = {
    Phase.PRECONCEPTION: "phase_preconception",
    Phase.PREGNANCY: "phase_pregnancy",
    Phase.POSTNATAL: "phase_postnatal",
}

#: The same fields as a tuple, for field lists (forms, admin, snapshots).
PHASE_FIELD_NAMES: tuple[str, ...] = tuple(PHASE_FIELDS.values())


class HasPhases:
    """For a model that holds its phases as the flags of ``PHASE_FIELDS`` (Service, Situation,
    Intervention, Pathway)."""

    @property
    def phases(self) -> list[str]:
        """Its phases, in life order."""
        return [phase for phase, field in PHASE_FIELDS.items() if getattr(self, field)]

    def get_phases_display(self) -> list[str]:
        """The names of its phases, in life order."""
        return [str(Phase(phase).label) for phase in self.phases]
