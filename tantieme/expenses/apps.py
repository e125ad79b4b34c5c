from django.apps import AppConfig


class ExpensesConfig(AppConfig):
    name = "tantieme.expenses"
    label = "expenses"
    verbose_name = "Dépenses"
