"""URLs of a firm's host: the co-owner portal, the back office, sign-in."""

from django.conf import settings
from django.urls import include, path
from django.views.i18n import set_language

from tantieme.core import views as core_views
from tantieme.notifications import views as notification_views

urlpatterns = [
    path("", include("tantieme.portal.urls")),
    path("gestion/", include("tantieme.backoffice.urls")),
    path("compte/", include("tantieme.users.urls")),
    path("logo/", core_views.firm_logo, name="firm_logo"),
    path("langue/", set_language, name="set_language"),
    # Development only: the mail the outbox sent (404 unless DEBUG).
    path("dev/courriels/", notification_views.dev_outbox, name="dev_outbox"),
    path("paiements/", include("tantieme.payments.urls")),
]
if settings.SANDBOX_BANK_ENABLED:  # the embedded test bank; production refuses it (settings)
    urlpatterns.append(path("banque-test/", include("tantieme.sandbox_bank.urls")))

handler400 = "tantieme.core.views.bad_request"
handler403 = "tantieme.core.views.permission_denied"
handler404 = "tantieme.core.views.page_not_found"
handler500 = "tantieme.core.views.server_error"
