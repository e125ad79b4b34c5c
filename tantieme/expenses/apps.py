from django.apps import AppConfig


class ExpensesConfig(AppConfig):
    name = "tantieme.expenses"
    label = "expenses"
    verbose_name = "Dépenses"

    def ready(self) -> None:
        from tantieme.expenses import periodic  # noqa: F401  (registers the periodic job)
