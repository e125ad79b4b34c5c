from django.urls import path

from tantieme.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("contacts/", views.contacts, name="contacts"),
    path("mon-compte/", views.account, name="account"),
    path("mes-biens/", views.properties, name="properties"),
    path("mes-demandes/", views.requests, name="requests"),
    path("mes-informations/", views.information, name="information"),
    path("mes-documents/", views.documents, name="documents"),
]
