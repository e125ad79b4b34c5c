"""The condominium file (issue 13, item 2): the portfolio's condominiums, then one page per section of a
condominium (identity, buildings, lots and tantièmes, keys, co-owners, bank, fiscal years, budgets and
calls, council, syndic contacts, documents, history), each at its own URL and with a bounded number of
queries. Edits go through `tantieme.condominiums.editing` (the import's rules, audited); the council
through `tantieme.documents.services`. Routes: `tantieme.backoffice.urls_condominiums`."""
