from django.urls import path

from tantieme.backoffice import views

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
]
