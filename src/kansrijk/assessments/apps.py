from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "kansrijk.assessments"
    verbose_name = _("Self-assessments")
