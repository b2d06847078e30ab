from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignallingConfig(AppConfig):
    name = "kansrijk.signalling"
    verbose_name = _("Signalling")

    def ready(self) -> None:
        """Saving a rule set, the catalogue or an intervention forgets the rules and offers this
        process keeps (other processes read them again within ``SNAPSHOT_SECONDS``)."""
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from kansrijk.interventions.models import Intervention
        from kansrijk.signalling import models
        from kansrijk.signalling.selectors import clear_rules_cache
        from kansrijk.situations.models import LifeDomain, Situation

        def forget(**kwargs: Any) -> None:
            clear_rules_cache()

        for model in (
            Situation,
            LifeDomain,
            Intervention,
            models.GradingRuleSet,
            models.FactorWeight,
            models.GradeThreshold,
            models.ReinforcementRule,
        ):
            post_save.connect(
                forget, sender=model, weak=False, dispatch_uid=f"signalling-forget-{model}"
            )
            post_delete.connect(
                forget, sender=model, weak=False, dispatch_uid=f"signalling-forget-d-{model}"
            )
        for through in (Intervention.situations.through, Intervention.services.through):
            m2m_changed.connect(
                forget, sender=through, weak=False, dispatch_uid=f"signalling-forget-{through}"
            )
