from django.urls import path

from tantieme.payments import views

app_name = "payments"

urlpatterns = [
    path("notification/<slug:route>/", views.notification, name="notification"),
]
