from django.apps import AppConfig


class SandboxBankConfig(AppConfig):
    name = "tantieme.sandbox_bank"
    label = "sandbox_bank"
