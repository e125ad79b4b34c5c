from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "tantieme.funds"
    label = "funds"
