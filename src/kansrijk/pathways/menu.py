"""Labels of the pathway entries in the main menu (``kansrijk.core.navigation``) and on the start
page (``kansrijk.core.start``). They live here so their translations live with this app."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

MENU_FIND = _("Pathways")
MENU_MANAGE = _("Maintain pathways")

FIND_TASK_LABEL = _("Find a pathway")
FIND_TASK_DESCRIPTION = _(
    "For a postcode and a situation: the steps agreed locally, whom to refer to and how."
)
MANAGE_TASK_LABEL = _("Maintain pathways")
MANAGE_TASK_DESCRIPTION = _(
    "Your coalition's pathways: edit drafts, publish, and review those not checked for a year."
)
