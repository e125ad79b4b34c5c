"""URLs of the operator host only: the Django admin is never served on a firm's host.

The operator signs in through the staff policy (throttles, audit, TOTP): see
`tantieme.users.operator_admin`. Only sign-in, sign-out and the two-factor pages of `users` are
served here; the firm-level pages (password reset by e-mail, activation…) need a firm.
"""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from tantieme.urls import handler400, handler403, handler404, handler500  # noqa: F401
from tantieme.users import views as user_views

operator_account = (
    [
        path("deconnexion/", user_views.LogoutView.as_view(), name="logout"),
        path("double-authentification/", user_views.otp_verify, name="otp_verify"),
        path("double-authentification/activer/", user_views.otp_setup, name="otp_setup"),
    ],
    "users",
)

urlpatterns = [
    path("compte/", include(operator_account)),
    path("langue/", set_language, name="set_language"),
    path("", admin.site.urls),
]
