"""Routes of the sale of a lot: notary requests, état daté, mutation (issue 13), included by
`tantieme.backoffice.urls` (same namespace). Views in `tantieme.backoffice.sales`."""

from django.urls import URLPattern, path

from tantieme.backoffice import sales

urlpatterns: list[URLPattern] = [
    path("", sales.sale_list, name="sale_list"),
    path("nouvelle/", sales.sale_new, name="sale_new"),
    path("<int:pk>/", sales.sale_detail, name="sale_detail"),
    path("<int:pk>/informations/", sales.sale_send_information, name="sale_send_information"),
    path("<int:pk>/informations.pdf", sales.sale_information_pdf, name="sale_information_pdf"),
    path("<int:pk>/etat-date/", sales.sale_issue_statement, name="sale_issue_statement"),
    path("<int:pk>/etat-date.pdf", sales.sale_statement_pdf, name="sale_statement_pdf"),
    path("<int:pk>/mutation/", sales.sale_mutation, name="sale_mutation"),
    path("<int:pk>/opposition.pdf", sales.sale_opposition_pdf, name="sale_opposition_pdf"),
    path("<int:pk>/cloture/", sales.sale_close, name="sale_close"),
]
