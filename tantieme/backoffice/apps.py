from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "tantieme.backoffice"
    label = "backoffice"
