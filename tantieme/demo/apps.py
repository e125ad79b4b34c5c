from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "tantieme.demo"
    label = "demo"
