from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "tantieme.portal"
    label = "portal"
