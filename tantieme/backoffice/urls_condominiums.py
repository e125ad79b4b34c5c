"""Routes of the condominium file (issue 13), included by `tantieme.backoffice.urls` (same namespace)
under /gestion/coproprietes/. See docs/condominium-file.md."""

from django.urls import URLPattern, path

from tantieme.backoffice.condominium_file import co_owners, history, identity, keys, links, lots, people, portfolio

urlpatterns: list[URLPattern] = [
    path("", portfolio.condominium_list, name="condominium_list"),
    path("<int:pk>/", identity.condominium_file, name="condominium_file"),
    path("<int:pk>/identite/", identity.condominium_identity_edit, name="condominium_identity_edit"),
    path("<int:pk>/batiments/", lots.condominium_buildings, name="condominium_buildings"),
    path(
        "<int:pk>/batiments/<int:building_pk>/",
        lots.condominium_building_edit,
        name="condominium_building_edit",
    ),
    path(
        "<int:pk>/batiments/<int:building_pk>/supprimer/",
        lots.condominium_building_delete,
        name="condominium_building_delete",
    ),
    path("<int:pk>/lots/", lots.condominium_lots, name="condominium_lots"),
    path("<int:pk>/lots/nouveau/", lots.condominium_lot_new, name="condominium_lot_new"),
    path("<int:pk>/lots/tantiemes/", lots.condominium_shares_edit, name="condominium_shares_edit"),
    path("<int:pk>/lots/<int:lot_pk>/", lots.condominium_lot_edit, name="condominium_lot_edit"),
    path("<int:pk>/lots/<int:lot_pk>/supprimer/", lots.condominium_lot_delete, name="condominium_lot_delete"),
    path("<int:pk>/cles/", keys.condominium_keys, name="condominium_keys"),
    path("<int:pk>/cles/nouvelle/", keys.condominium_key_new, name="condominium_key_new"),
    path("<int:pk>/cles/<int:key_pk>/", keys.condominium_key_edit, name="condominium_key_edit"),
    path("<int:pk>/cles/<int:key_pk>/supprimer/", keys.condominium_key_delete, name="condominium_key_delete"),
    path("<int:pk>/coproprietaires/", co_owners.condominium_co_owners, name="condominium_co_owners"),
    path("<int:pk>/banque/", identity.condominium_bank, name="condominium_bank"),
    path("<int:pk>/exercices/", links.condominium_years, name="condominium_years"),
    path("<int:pk>/budgets/", links.condominium_budgets, name="condominium_budgets"),
    path("<int:pk>/conseil/", people.condominium_council, name="condominium_council"),
    path(
        "<int:pk>/conseil/<int:membership_pk>/fin/",
        people.condominium_council_end,
        name="condominium_council_end",
    ),
    path("<int:pk>/contacts/", people.condominium_contacts, name="condominium_contacts"),
    path("<int:pk>/contacts/<int:contact_pk>/", people.condominium_contact_edit, name="condominium_contact_edit"),
    path(
        "<int:pk>/contacts/<int:contact_pk>/supprimer/",
        people.condominium_contact_delete,
        name="condominium_contact_delete",
    ),
    path(
        "<int:pk>/contacts/<int:contact_pk>/deplacer/",
        people.condominium_contact_move,
        name="condominium_contact_move",
    ),
    path("<int:pk>/documents/", links.condominium_documents, name="condominium_documents"),
    path("<int:pk>/historique/", history.condominium_history, name="condominium_history"),
]
