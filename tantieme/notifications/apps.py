from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tantieme.notifications"
    label = "notifications"

    def ready(self) -> None:
        from tantieme.notifications import periodic  # noqa: F401  (registers the periodic jobs)
