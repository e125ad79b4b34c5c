from django.apps import AppConfig


class AnnouncementsConfig(AppConfig):
    name = "tantieme.announcements"
    label = "announcements"
