from django.urls import path

from tantieme.users import views

app_name = "users"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("mot-de-passe/", views.PasswordChangeView.as_view(), name="password_change"),
    path("mot-de-passe-oublie/", views.ForgotPasswordView.as_view(), name="password_forgot"),
    path("mot-de-passe-oublie/envoye/", views.password_forgot_done, name="password_forgot_done"),
    path("reinitialiser/<str:token>/", views.ResetView.as_view(), name="reset"),
    path("activer/<str:token>/", views.ActivateView.as_view(), name="activate"),
    path("confirmer-email/<str:token>/", views.ConfirmEmailView.as_view(), name="confirm_email"),
    path("double-authentification/", views.otp_verify, name="otp_verify"),
    path("double-authentification/activer/", views.otp_setup, name="otp_setup"),
]
