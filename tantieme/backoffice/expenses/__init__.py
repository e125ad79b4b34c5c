"""Back office of suppliers, contracts, supplier invoices and their approval (issue 14), under /gestion/depenses/.

Reads need `Can.VIEW`; suppliers, contracts and invoice entry `Can.ENTER_INVOICES`; the « bon à
payer » `Can.APPROVE_INVOICES`. Condominiums outside the portfolio, and another firm's objects,
are a 404. Business rules live in `tantieme.expenses.services`; these views only translate forms.
"""
