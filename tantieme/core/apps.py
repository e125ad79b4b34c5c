from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tantieme.core"
    label = "core"
    verbose_name = "Tantième"

    def ready(self) -> None:
        from tantieme.core import checks  # noqa: F401  (registers the system checks)
