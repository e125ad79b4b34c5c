from django.apps import AppConfig


class ClosingConfig(AppConfig):
    name = "tantieme.closing"
    label = "closing"
    verbose_name = "Clôture des exercices"
