from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "tantieme.sales"
    label = "sales"
    verbose_name = "Ventes de lots"
