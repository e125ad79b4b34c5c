from django.apps import AppConfig


class SandboxBankConfig(AppConfig):
    name = "tantieme.sandbox_bank"
    label = "sandbox_bank"
    verbose_name = "Banque de test"

    def ready(self) -> None:
        from tantieme.sandbox_bank import periodic  # noqa: F401  (registers the periodic jobs)
