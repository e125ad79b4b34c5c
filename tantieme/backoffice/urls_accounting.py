"""Routes of `tantieme.backoffice.accounting`, included by `tantieme.backoffice.urls` (same namespace),
under /gestion/comptabilite/. Every page takes `?exercice=<fiscal year id>`."""

from django.urls import URLPattern, path

from tantieme.backoffice.accounting import entries, lettering, reconciliation, reports

urlpatterns: list[URLPattern] = [
    path("", entries.accounting_home, name="accounting_home"),
    path("<int:pk>/", entries.accounting_journals, name="accounting_journals"),
    path("<int:pk>/ecritures/", entries.accounting_entries, name="accounting_entries"),
    path("<int:pk>/ecritures/export.<str:fmt>", entries.accounting_entries_export, name="accounting_entries_export"),
    path("<int:pk>/ecritures/nouvelle/", entries.accounting_entry_new, name="accounting_entry_new"),
    path("<int:pk>/ecritures/<int:entry_pk>/", entries.accounting_entry, name="accounting_entry"),
    path(
        "<int:pk>/ecritures/<int:entry_pk>/contre-passer/",
        entries.accounting_entry_reverse,
        name="accounting_entry_reverse",
    ),
    path(
        "<int:pk>/ecritures/<int:entry_pk>/pieces/<int:attachment_pk>/",
        entries.accounting_attachment,
        name="accounting_attachment",
    ),
    path("<int:pk>/balance/", reports.accounting_trial_balance, name="accounting_trial_balance"),
    path(
        "<int:pk>/balance/export.<str:fmt>",
        reports.accounting_trial_balance_export,
        name="accounting_trial_balance_export",
    ),
    path("<int:pk>/grand-livre/", reports.accounting_general_ledger, name="accounting_general_ledger"),
    path(
        "<int:pk>/grand-livre/export.<str:fmt>",
        reports.accounting_general_ledger_export,
        name="accounting_general_ledger_export",
    ),
    path("<int:pk>/lettrage/", lettering.accounting_lettering, name="accounting_lettering"),
    path(
        "<int:pk>/lettrage/<int:co_owner_pk>/",
        lettering.accounting_lettering_co_owner,
        name="accounting_lettering_co_owner",
    ),
    path("<int:pk>/lettrage/<int:co_owner_pk>/lettrer/", lettering.accounting_letter, name="accounting_letter"),
    path(
        "<int:pk>/lettrage/<int:co_owner_pk>/automatique/",
        lettering.accounting_letter_auto,
        name="accounting_letter_auto",
    ),
    path(
        "<int:pk>/lettrage/<int:co_owner_pk>/delettrer/<int:lettering_pk>/",
        lettering.accounting_unletter,
        name="accounting_unletter",
    ),
    path(
        "<int:pk>/lettrage/comptes/<str:number>/",
        lettering.accounting_lettering_account,
        name="accounting_lettering_account",
    ),
    path(
        "<int:pk>/lettrage/comptes/<str:number>/lettrer/",
        lettering.accounting_letter_account,
        name="accounting_letter_account",
    ),
    path(
        "<int:pk>/lettrage/comptes/<str:number>/delettrer/<int:lettering_pk>/",
        lettering.accounting_unletter_account,
        name="accounting_unletter_account",
    ),
    path("<int:pk>/rapprochement/", reconciliation.accounting_reconciliation, name="accounting_reconciliation"),
]
