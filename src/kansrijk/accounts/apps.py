from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kansrijk.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from kansrijk.accounts import signals  # noqa: F401
