"""Labels of the signalling entries in the main menu (``kansrijk.core.navigation``) and on the
start page (``kansrijk.core.start``). They live here so their translations live with this app."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

MENU_LABEL = _("Signalling")

CONVERSATION_TASK_LABEL = _("The broad conversation")
CONVERSATION_TASK_DESCRIPTION = _(
    "Tick risk and protective factors: the vulnerability grade with its reasons, and the local "
    "pathways and interventions. Nothing is stored."
)
GUIDE_TASK_LABEL = _("Preconception guide")
GUIDE_TASK_DESCRIPTION = _(
    "“Do you want to become pregnant in the coming year?” What to do with each answer, and who "
    "helps locally."
)
