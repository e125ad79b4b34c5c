from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tantieme.tickets"
    label = "tickets"

    def ready(self) -> None:
        from tantieme.tickets import periodic  # noqa: F401  (registers the daily digest)
