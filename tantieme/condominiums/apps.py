from django.apps import AppConfig


class CondominiumsConfig(AppConfig):
    name = "tantieme.condominiums"
    label = "condominiums"
