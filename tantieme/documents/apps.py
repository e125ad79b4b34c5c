from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "tantieme.documents"
    label = "documents"
