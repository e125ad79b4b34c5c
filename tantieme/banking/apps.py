from django.apps import AppConfig


class BankingConfig(AppConfig):
    name = "tantieme.banking"
    label = "banking"
