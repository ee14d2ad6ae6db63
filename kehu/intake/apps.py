from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "kehu.intake"
    label = "intake"
    verbose_name = "Imports and exports"
