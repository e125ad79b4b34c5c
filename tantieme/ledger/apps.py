from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "tantieme.ledger"
    label = "ledger"
