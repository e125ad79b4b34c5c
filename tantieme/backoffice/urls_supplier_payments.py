"""Routes of supplier payment batches (issue 14), included by `tantieme.backoffice.urls` (same namespace),
under /gestion/reglements-fournisseurs/."""

from django.urls import URLPattern, path

from tantieme.backoffice import supplier_payments

urlpatterns: list[URLPattern] = [
    path("", supplier_payments.supplier_payments_home, name="supplier_payments_home"),
    path("<int:pk>/", supplier_payments.supplier_payments_condominium, name="supplier_payments_condominium"),
    path("<int:pk>/cheque/", supplier_payments.supplier_payments_cheque, name="supplier_payments_cheque"),
    path("remise/<int:pk>/", supplier_payments.supplier_payments_batch, name="supplier_payments_batch"),
    path("remise/<int:pk>/fichier/", supplier_payments.supplier_payments_file, name="supplier_payments_file"),
    path("remise/<int:pk>/transmise/", supplier_payments.supplier_payments_sent, name="supplier_payments_sent"),
    path("remise/<int:pk>/annuler/", supplier_payments.supplier_payments_cancel, name="supplier_payments_cancel"),
]
