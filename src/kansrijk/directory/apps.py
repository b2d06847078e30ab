from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "kansrijk.directory"
    verbose_name = _("Social map")
    default_auto_field = "django.db.models.BigAutoField"
