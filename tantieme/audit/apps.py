from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tantieme.audit"
    label = "audit"
