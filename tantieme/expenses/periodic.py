"""Periodic job of the expenses app (idempotent, `manage.py runperiodic`):

- contracts past their end without tacit renewal expire, and the extranet follows (décret 2019-502);
- 408 accruals whose next year is now open get their reversal on its first day;
- PDFs uploaded for an invoice entry that was abandoned are deleted after a day.
"""

from __future__ import annotations

import datetime

from django.core.files.storage import default_storage
from django.utils import timezone

from tantieme.condominiums.models import Condominium
from tantieme.core.periodic import register
from tantieme.expenses.enums import ContractStatus
from tantieme.expenses.models import Accrual, Contract
from tantieme.expenses.publishing import expire_contracts
from tantieme.expenses.services import reverse_accruals
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import firm_scope

UPLOAD_MAX_AGE = datetime.timedelta(days=1)


def _purge_uploads(firm: Firm, now: datetime.datetime) -> int:
    folder = f"expenses/{firm.pk}/uploads"
    try:
        _dirs, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return 0
    removed = 0
    for name in files:
        path = f"{folder}/{name}"
        try:
            if now - default_storage.get_modified_time(path) > UPLOAD_MAX_AGE:
                default_storage.delete(path)
                removed += 1
        except (FileNotFoundError, NotImplementedError):
            continue
    return removed


def run_expenses_housekeeping(today: datetime.date | None = None) -> tuple[int, int, int]:
    """(contracts expired, accruals reversed, uploads deleted) over every firm."""
    today = today or timezone.localdate()
    now = timezone.now()
    expired = reversed_ = purged = 0
    for firm in Firm.objects.all():
        with firm_scope(firm):
            due = set(
                Contract.objects.filter(
                    status=ContractStatus.ACTIVE, tacit_renewal=False, end_date__lt=today
                ).values_list("condominium_id", flat=True)
            )
            pending = set(Accrual.objects.filter(reversal__isnull=True).values_list("condominium_id", flat=True))
            for condominium in Condominium.objects.filter(pk__in=due | pending).order_by("pk"):
                if condominium.pk in due:
                    expired += expire_contracts(condominium=condominium, today=today)
                if condominium.pk in pending:
                    reversed_ += len(reverse_accruals(condominium=condominium))
            purged += _purge_uploads(firm, now)
    return expired, reversed_, purged


@register(
    "expenses.housekeeping",
    "Contrats échus retirés de l'extranet, extournes des factures non parvenues, PDF de saisies abandonnées.",
)
def expenses_housekeeping() -> str:
    expired, reversed_, purged = run_expenses_housekeeping()
    return f"{expired} contrat(s) échu(s), {reversed_} extourne(s), {purged} PDF abandonné(s) supprimé(s)"
