from django.apps import AppConfig


class SupplierPaymentsConfig(AppConfig):
    name = "tantieme.supplier_payments"
    label = "supplier_payments"
    verbose_name = "Règlements fournisseurs"

    def ready(self) -> None:
        # The bank import asks this app about the debits it pays (batches, direct debits, cheques).
        from tantieme.banking import debits
        from tantieme.supplier_payments.matching import SupplierDebitMatcher

        debits.register(SupplierDebitMatcher)
