"""Routes of the council's invoices (issue 14), included by `tantieme.portal.urls` (same namespace),
under /conseil/factures/."""

from django.urls import URLPattern, path

from tantieme.portal import council_invoices

urlpatterns: list[URLPattern] = [
    path("", council_invoices.council_invoices, name="council_invoices"),
    path("<int:pk>/pdf/", council_invoices.council_invoice_pdf, name="council_invoice_pdf"),
    path("<int:pk>/visa/", council_invoices.council_invoice_visa, name="council_invoice_visa"),
]
