"""The menukaart's main-menu label, here so that its translation lives in this app's catalogue."""

from django.utils.translation import gettext_lazy as _

MENU_LABEL = _("Intervention menu")
