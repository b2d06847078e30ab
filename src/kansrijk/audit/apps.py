from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "kansrijk.audit"
    verbose_name = _("Access log")

    def ready(self) -> None:
        from kansrijk.audit import checks  # noqa: F401 - registers the retention check
