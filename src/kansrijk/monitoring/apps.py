from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "kansrijk.monitoring"
    verbose_name = _("Monitoring")
    default_auto_field = "django.db.models.BigAutoField"
