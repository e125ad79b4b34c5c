from django.urls import include, path

from tantieme.portal import account, documents, information, payments, requests, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("contacts/", views.contacts, name="contacts"),
    path("mon-compte/", account.account, name="account"),
    path("mon-compte/releve.pdf", account.statement_pdf, name="statement_pdf"),
    path("mon-compte/releve.csv", account.statement_csv, name="statement_csv"),
    path("mes-biens/", views.properties, name="properties"),
    path("mes-demandes/", requests.requests_list, name="requests"),
    path("mes-demandes/nouvelle/", requests.request_new, name="request_new"),
    path("mes-demandes/<int:pk>/", requests.request_detail, name="request_detail"),
    path("mes-demandes/piece-jointe/<int:pk>/", requests.request_attachment, name="request_attachment"),
    path("mes-informations/", information.information, name="information"),
    path("mes-informations/<int:pk>/coordonnees/", information.information_details, name="information_details"),
    path("mes-informations/<int:pk>/contact/", information.information_contact, name="information_contact"),
    path("mes-informations/email/", information.information_email, name="information_email"),
    path("mes-informations/langue/", information.information_language, name="information_language"),
    path("mes-informations/sessions/", information.information_sessions, name="information_sessions"),
    path("informations/<int:pk>/", information.announcement, name="announcement"),
    path("mes-documents/", documents.documents, name="documents"),
    path("mes-documents/<int:pk>/telecharger/", documents.document_download, name="document_download"),
    # Card payment (issue 7).
    path("paiement/", payments.payment_amount, name="payment_amount"),
    path("paiement/confirmer/", payments.payment_confirm, name="payment_confirm"),
    path("paiement/retour/<uuid:public_id>/", payments.payment_return, name="payment_return"),
    # The conseil syndical's space: invoices and budget against actual (issue 14).
    path("conseil/factures/", include("tantieme.portal.urls_council_invoices")),
    path("conseil/budget/", include("tantieme.portal.urls_council_budget")),
]
