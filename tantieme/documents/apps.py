from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "tantieme.documents"
    label = "documents"

    def ready(self) -> None:
        from tantieme.documents import periodic  # noqa: F401  (registers the periodic job)
