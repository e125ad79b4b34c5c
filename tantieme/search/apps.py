from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "tantieme.search"
    label = "search"
    verbose_name = "Recherche"

    def ready(self) -> None:
        from tantieme.search import periodic  # noqa: F401  (registers the periodic job)
