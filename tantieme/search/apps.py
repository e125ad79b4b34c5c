from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "tantieme.search"
    label = "search"
    verbose_name = "Recherche"
