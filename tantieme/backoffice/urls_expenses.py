"""Routes of suppliers, contracts and invoices (issue 14), included by `tantieme.backoffice.urls` (same namespace),
under /gestion/depenses/. Views in `tantieme.backoffice.expenses`."""

from django.urls import URLPattern, path

from tantieme.backoffice.expenses import contracts, invoices, suppliers

urlpatterns: list[URLPattern] = [
    path("", invoices.expenses_home, name="expenses_home"),
    path("fournisseurs/", suppliers.supplier_list, name="expenses_suppliers"),
    path("fournisseurs/nouveau/", suppliers.supplier_create, name="expenses_supplier_create"),
    path("fournisseurs/<int:pk>/", suppliers.supplier_detail, name="expenses_supplier_detail"),
    path("fournisseurs/<int:pk>/modifier/", suppliers.supplier_edit, name="expenses_supplier_edit"),
    path("fournisseurs/<int:pk>/iban/", suppliers.bank_account_add, name="expenses_bank_account_add"),
    path("fournisseurs/<int:pk>/contacts/", suppliers.contact_add, name="expenses_contact_add"),
    path("iban/<int:pk>/verifier/", suppliers.bank_account_verify, name="expenses_bank_account_verify"),
    path("iban/<int:pk>/revoquer/", suppliers.bank_account_revoke, name="expenses_bank_account_revoke"),
    path("contrats/", contracts.contract_list, name="expenses_contracts"),
    path("contrats/nouveau/", contracts.contract_create, name="expenses_contract_create"),
    path("contrats/<int:pk>/", contracts.contract_edit, name="expenses_contract_edit"),
    path("factures/", invoices.invoice_list, name="expenses_invoices"),
    path("factures/nouvelle/", invoices.invoice_upload, name="expenses_invoice_upload"),
    path("copropriete/<int:pk>/saisie/", invoices.invoice_enter, name="expenses_invoice_enter"),
    path("copropriete/<int:pk>/parametres/", invoices.condominium_settings, name="expenses_settings"),
    path("copropriete/<int:pk>/charges-a-payer/", invoices.accruals, name="expenses_accruals"),
    path("factures/<int:pk>/", invoices.invoice_detail, name="expenses_invoice_detail"),
    path("factures/<int:pk>/pdf/", invoices.invoice_pdf, name="expenses_invoice_pdf"),
    path("factures/<int:pk>/valider/", invoices.invoice_validate, name="expenses_invoice_validate"),
    path("factures/<int:pk>/annuler/", invoices.invoice_cancel, name="expenses_invoice_cancel"),
    path("factures/<int:pk>/approuver/", invoices.invoice_approve, name="expenses_invoice_approve"),
    path("factures/<int:pk>/refuser/", invoices.invoice_reject, name="expenses_invoice_reject"),
    path("factures/<int:pk>/bloquer/", invoices.invoice_block, name="expenses_invoice_block"),
    path("factures/<int:pk>/debloquer/", invoices.invoice_unblock, name="expenses_invoice_unblock"),
    path("approbation/", invoices.approvals, name="expenses_approvals"),
]
