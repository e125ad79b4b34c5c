from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tantieme.notifications"
    label = "notifications"
