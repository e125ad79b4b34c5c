"""Routes of `tantieme.backoffice.accounting`, included by `tantieme.backoffice.urls` (same namespace),
under /gestion/comptabilite/. Every page takes `?exercice=<fiscal year id>`."""

from django.urls import URLPattern, path

from tantieme.backoffice import accounting

urlpatterns: list[URLPattern] = [
    path("", accounting.accounting_home, name="accounting_home"),
    path("<int:pk>/", accounting.accounting_journals, name="accounting_journals"),
    path("<int:pk>/ecritures/", accounting.accounting_entries, name="accounting_entries"),
    path("<int:pk>/ecritures/export.<str:fmt>", accounting.accounting_entries_export, name="accounting_entries_export"),
    path("<int:pk>/ecritures/nouvelle/", accounting.accounting_entry_new, name="accounting_entry_new"),
    path("<int:pk>/ecritures/<int:entry_pk>/", accounting.accounting_entry, name="accounting_entry"),
    path(
        "<int:pk>/ecritures/<int:entry_pk>/contre-passer/",
        accounting.accounting_entry_reverse,
        name="accounting_entry_reverse",
    ),
    path(
        "<int:pk>/ecritures/<int:entry_pk>/pieces/<int:attachment_pk>/",
        accounting.accounting_attachment,
        name="accounting_attachment",
    ),
    path("<int:pk>/balance/", accounting.accounting_trial_balance, name="accounting_trial_balance"),
    path(
        "<int:pk>/balance/export.<str:fmt>",
        accounting.accounting_trial_balance_export,
        name="accounting_trial_balance_export",
    ),
    path("<int:pk>/grand-livre/", accounting.accounting_general_ledger, name="accounting_general_ledger"),
    path(
        "<int:pk>/grand-livre/export.<str:fmt>",
        accounting.accounting_general_ledger_export,
        name="accounting_general_ledger_export",
    ),
    path("<int:pk>/lettrage/", accounting.accounting_lettering, name="accounting_lettering"),
    path(
        "<int:pk>/lettrage/<int:co_owner_pk>/",
        accounting.accounting_lettering_co_owner,
        name="accounting_lettering_co_owner",
    ),
    path("<int:pk>/lettrage/<int:co_owner_pk>/lettrer/", accounting.accounting_letter, name="accounting_letter"),
    path(
        "<int:pk>/lettrage/<int:co_owner_pk>/automatique/",
        accounting.accounting_letter_auto,
        name="accounting_letter_auto",
    ),
    path(
        "<int:pk>/lettrage/<int:co_owner_pk>/delettrer/<int:lettering_pk>/",
        accounting.accounting_unletter,
        name="accounting_unletter",
    ),
    path(
        "<int:pk>/lettrage/comptes/<str:number>/",
        accounting.accounting_lettering_account,
        name="accounting_lettering_account",
    ),
    path(
        "<int:pk>/lettrage/comptes/<str:number>/lettrer/",
        accounting.accounting_letter_account,
        name="accounting_letter_account",
    ),
    path(
        "<int:pk>/lettrage/comptes/<str:number>/delettrer/<int:lettering_pk>/",
        accounting.accounting_unletter_account,
        name="accounting_unletter_account",
    ),
    path("<int:pk>/rapprochement/", accounting.accounting_reconciliation, name="accounting_reconciliation"),
]
