from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "tantieme.tenancy"
    label = "tenancy"
