from django.urls import path

from tantieme.backoffice import access, imports, views

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    # Co-owner import (restored after a concurrent overwrite: check the paths, names are as the tests use).
    path("import/", imports.upload, name="import_upload"),
    path("import/apercu/", imports.preview, name="import_preview"),
    # Access to the extranet (issue 3).
    path("acces/", access.access_home, name="access_home"),
    path("acces/copropriete/<int:pk>/", access.access_condominium, name="access_condominium"),
    path("acces/copropriete/<int:pk>/tous/", access.access_give_all, name="access_give_all"),
    path("acces/coproprietaire/<int:pk>/ouvrir/", access.access_give, name="access_give"),
    path("acces/coproprietaire/<int:pk>/ajouter/", access.access_add_login, name="access_add_login"),
    path("acces/utilisateur/<int:pk>/renvoyer/", access.access_resend, name="access_resend"),
    path("acces/utilisateur/<int:pk>/reinitialiser/", access.access_reset, name="access_reset"),
    path("acces/utilisateur/<int:pk>/email/", access.access_email, name="access_email"),
]
