from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "tantieme.payments"
    label = "payments"

    def ready(self) -> None:
        from tantieme.payments import periodic  # noqa: F401  (registers the periodic jobs)
