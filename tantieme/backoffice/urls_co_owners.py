"""Routes of the co-owner file (issue 13), included by `tantieme.backoffice.urls` (same namespace),
under /gestion/coproprietaires/. One URL per section; see docs/co-owner-file.md."""

from django.urls import URLPattern, path

from tantieme.backoffice.co_owner_file import actions, index, pages

urlpatterns: list[URLPattern] = [
    path("", index.co_owner_list, name="co_owner_list"),
    path("<int:pk>/", pages.co_owner_file, name="co_owner_file"),
    path("<int:pk>/modifier/", actions.co_owner_edit, name="co_owner_edit"),
    path("<int:pk>/lots/", pages.co_owner_lots, name="co_owner_lots"),
    path("<int:pk>/releve/", pages.co_owner_statement, name="co_owner_statement"),
    path("<int:pk>/releve/pdf/", actions.co_owner_statement_pdf, name="co_owner_statement_pdf"),
    path("<int:pk>/releve/envoyer/", actions.co_owner_statement_email, name="co_owner_statement_email"),
    path("<int:pk>/regularisation/", actions.co_owner_adjustment, name="co_owner_adjustment"),
    path("<int:pk>/ecritures-ouvertes/", pages.co_owner_open_items, name="co_owner_open_items"),
    path("<int:pk>/paiements-carte/", pages.co_owner_card_payments, name="co_owner_card_payments"),
    path("<int:pk>/virements/", pages.co_owner_transfers, name="co_owner_transfers"),
    path("<int:pk>/cheques/", actions.co_owner_cheque_deposit, name="co_owner_cheque_deposit"),
    path("<int:pk>/demandes/", pages.co_owner_tickets, name="co_owner_tickets"),
    path("<int:pk>/documents/", pages.co_owner_documents, name="co_owner_documents"),
    path("<int:pk>/acces/", pages.co_owner_access, name="co_owner_access"),
    path("<int:pk>/notes/", pages.co_owner_notes, name="co_owner_notes"),
    path("<int:pk>/notes/ajouter/", actions.co_owner_note_add, name="co_owner_note_add"),
    path("<int:pk>/notes/barrer/", actions.co_owner_note_strike, name="co_owner_note_strike"),
]
