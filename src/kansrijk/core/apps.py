from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kansrijk.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        """Every save or delete of reference data and content raises its kind's version
        (``kansrijk.core.freshness``)."""
        from kansrijk.core import freshness

        freshness.watch()
