"""Choices of the sale of a lot: the stages of a sale file."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SaleStatus(models.TextChoices):
    """A sale file moves forward only: requested → information sent → état daté → mutation → closed.

    The pre-sale information (CCH L721-2) is given before the promise; a notary who asks for the
    état daté straight away skips it, so an état daté may be issued from « requested » too.
    """

    REQUESTED = "requested", _("Demandée par le notaire")
    INFORMATION_SENT = "information_sent", _("Informations pré-état daté envoyées")
    STATEMENT_ISSUED = "statement_issued", _("État daté délivré")
    MUTATION_RECORDED = "mutation_recorded", _("Mutation enregistrée")
    CLOSED = "closed", _("Dossier clos")
