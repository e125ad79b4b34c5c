from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "tantieme.notes"
    label = "notes"
