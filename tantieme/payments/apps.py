from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "tantieme.payments"
    label = "payments"
