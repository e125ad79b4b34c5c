from django.urls import path

from tantieme.sandbox_bank import views

app_name = "sandbox_bank"

urlpatterns = [
    path("vads-payment/", views.payment_entry, name="payment_entry"),
    path("paiement/<uuid:token>/", views.brand, name="brand"),
    path("paiement/<uuid:token>/carte/", views.card, name="card"),
    path("paiement/<uuid:token>/3ds/", views.challenge, name="challenge"),
    path("paiement/<uuid:token>/annuler/", views.cancel, name="cancel"),
    path("paiement/<uuid:token>/resultat/", views.result, name="result"),
    path("api-payment/V4/Transaction/CancelOrRefund", views.rest_cancel_or_refund, name="rest_refund"),
    path("api-payment/V4/Order/Get", views.rest_order_get, name="rest_order_get"),
]
