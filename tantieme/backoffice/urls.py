from django.urls import include, path

from tantieme.backoffice import (
    access,
    announcements,
    banking,
    documents,
    funds,
    funds_letters,
    imports,
    payment_settings,
    payments,
    preferences,
    tickets,
)

app_name = "backoffice"

urlpatterns = [
    # « À traiter » and the search (issue 13).
    path("", include("tantieme.backoffice.urls_dashboard")),
    # The condominium file, the co-owner file, the sale of a lot (issue 13).
    path("coproprietes/", include("tantieme.backoffice.urls_condominiums")),
    path("coproprietaires/", include("tantieme.backoffice.urls_co_owners")),
    path("ventes/", include("tantieme.backoffice.urls_sales")),
    # Expenses: suppliers, contracts, invoices, supplier payments, budget against actual (issue 14).
    path("depenses/", include("tantieme.backoffice.urls_expenses")),
    path("reglements-fournisseurs/", include("tantieme.backoffice.urls_supplier_payments")),
    path("suivi-budgetaire/", include("tantieme.backoffice.urls_budget")),
    # Co-owner import (restored after a concurrent overwrite: check the paths, names are as the tests use).
    path("import/", imports.upload, name="import_upload"),
    path("import/apercu/", imports.preview, name="import_preview"),
    # Access to the extranet (issue 3).
    path("acces/", access.access_home, name="access_home"),
    path("acces/copropriete/<int:pk>/", access.access_condominium, name="access_condominium"),
    path("acces/copropriete/<int:pk>/tous/", access.access_give_all, name="access_give_all"),
    path("acces/coproprietaire/<int:pk>/ouvrir/", access.access_give, name="access_give"),
    path("acces/coproprietaire/<int:pk>/ajouter/", access.access_add_login, name="access_add_login"),
    path("acces/utilisateur/<int:pk>/renvoyer/", access.access_resend, name="access_resend"),
    path("acces/utilisateur/<int:pk>/reinitialiser/", access.access_reset, name="access_reset"),
    path("acces/utilisateur/<int:pk>/deconnecter/", access.access_end_sessions, name="access_end_sessions"),
    path("acces/utilisateur/<int:pk>/email/", access.access_email, name="access_email"),
    # Documents of the extranet and the conseil syndical (issue 6).
    path("documents/", documents.documents_home, name="documents_home"),
    path("documents/copropriete/<int:pk>/", documents.documents_condominium, name="documents_condominium"),
    path("documents/copropriete/<int:pk>/publier/", documents.documents_publish, name="documents_publish"),
    path("documents/copropriete/<int:pk>/conseil/", documents.documents_council, name="documents_council"),
    path(
        "documents/copropriete/<int:pk>/conseil/ajouter/", documents.documents_council_add, name="documents_council_add"
    ),
    path("documents/conseil/<int:pk>/retirer/", documents.documents_council_remove, name="documents_council_remove"),
    path("documents/<int:pk>/archiver/", documents.documents_archive, name="documents_archive"),
    path("documents/<int:pk>/telecharger/", documents.documents_download, name="documents_download"),
    # The staff member's own preferences: e-mails about requests (issue 16).
    path("preferences/", preferences.preferences, name="preferences"),
    # Co-owners' requests and the syndic's announcements (issue 6).
    path("demandes/", tickets.tickets_list, name="tickets"),
    path("demandes/<int:pk>/", tickets.ticket_detail, name="ticket_detail"),
    path("demandes/<int:pk>/repondre/", tickets.ticket_reply, name="ticket_reply"),
    path("demandes/<int:pk>/note/", tickets.ticket_note, name="ticket_note"),
    path("demandes/<int:pk>/attribuer/", tickets.ticket_assign, name="ticket_assign"),
    path("demandes/<int:pk>/etat/", tickets.ticket_status, name="ticket_status"),
    path("demandes/piece-jointe/<int:pk>/", tickets.ticket_attachment, name="ticket_attachment"),
    path("annonces/", announcements.announcements_list, name="announcements"),
    path("annonces/<int:pk>/archiver/", announcements.announcement_archive, name="announcement_archive"),
    # Card payments (issue 7).
    path("paiements/", payments.payments_list, name="payments"),
    path("paiements/reglages/", payment_settings.payment_settings, name="payment_settings"),
    path("paiements/export.csv", payments.payments_export, name="payments_export"),
    path("paiements/<int:pk>/", payments.payment_detail, name="payment_detail"),
    path("paiements/<int:pk>/rembourser/", payments.payment_refund, name="payment_refund"),
    # Calls for funds: budgets, works fund, works operations, preview and issue (issue 5).
    path("appels/", funds.funds_home, name="funds_home"),
    path("appels/copropriete/<int:pk>/", funds.funds_condominium, name="funds_condominium"),
    path("appels/copropriete/<int:pk>/budget/", funds.funds_budget_new, name="funds_budget_new"),
    path("appels/copropriete/<int:pk>/travaux/", funds.funds_operation_new, name="funds_operation_new"),
    path(
        "appels/copropriete/<int:pk>/travaux/<int:operation_pk>/cloturer/",
        funds.funds_operation_close,
        name="funds_operation_close",
    ),
    path("appels/copropriete/<int:pk>/apercu/", funds.funds_preview, name="funds_preview"),
    path("appels/copropriete/<int:pk>/emettre/", funds.funds_issue, name="funds_issue"),
    path("appels/budget/<int:pk>/", funds.funds_budget, name="funds_budget"),
    path("appels/emission/<int:pk>/", funds.funds_batch, name="funds_batch"),
    path("appels/emission/<int:pk>/courrier.pdf", funds_letters.funds_batch_letters, name="funds_batch_letters"),
    # Bank statements: imports, lines, review and suspense queues (issue 8).
    path("banque/", banking.banking_home, name="banking_home"),
    path("banque/importer/", banking.banking_upload, name="banking_upload"),
    path("banque/releve/<int:pk>/", banking.banking_import, name="banking_import"),
    path("banque/lignes/", banking.banking_lines, name="banking_lines"),
    path("banque/a-verifier/", banking.banking_review, name="banking_review"),
    path("banque/attente/", banking.banking_suspense, name="banking_suspense"),
    path("banque/suggestion/<int:pk>/confirmer/", banking.banking_confirm, name="banking_confirm"),
    path("banque/ligne/<int:pk>/imputer/", banking.banking_assign, name="banking_assign"),
    path("banque/ligne/<int:pk>/attente/", banking.banking_to_suspense, name="banking_to_suspense"),
    path("banque/ligne/<int:pk>/renvoyer/", banking.banking_return, name="banking_return"),
    path("banque/ligne/<int:pk>/debit/", banking.banking_debit, name="banking_debit"),
    path("banque/ligne/<int:pk>/ignorer/", banking.banking_ignore, name="banking_ignore"),
    path("banque/renvoi/<int:pk>/pain001/", banking.banking_return_file, name="banking_return_file"),
    # The books (issue 12): journals, entries, general ledger, trial balance, lettering, reconciliation.
    path("comptabilite/", include("tantieme.backoffice.urls_accounting")),
    # Fiscal years: open the next one (issue 12).
    path("exercices/", include("tantieme.backoffice.urls_fiscal_years")),
    # Closing a year: draft, annexes, approval (issue 12).
    path("cloture/", include("tantieme.backoffice.urls_closing")),
]
