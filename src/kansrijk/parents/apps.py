from django.apps import AppConfig


class ParentsConfig(AppConfig):
    name = "kansrijk.parents"
    label = "parents"
    verbose_name = "Ouders"
    default_auto_field = "django.db.models.BigAutoField"
