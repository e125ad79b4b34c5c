"""One permission policy for the back office: role × portfolio, decided here and nowhere else.

- **Role** (`StaffRole`): what a staff member may *do*. Each back-office action is a `Can`
  capability; `ROLE_CAPABILITIES` says which roles hold it. Every role may look (`Can.VIEW`).
- **Portfolio** (`PortfolioCondominium`): which condominiums a staff member may *see*. A staff
  member without any portfolio row sees every condominium of the firm (the firm's admin, a small
  firm); one with rows sees only those. Anything outside the portfolio is a 404, like another
  firm's object.

Views declare `@staff_required(can=Can.KEEP_BOOKS)` (or `post=` for a page whose form only some
may send) and fetch objects through `portfolio_condominium()`, `check_in_portfolio()` or
`in_portfolio(queryset, user)`; templates ask `staff_can.keep_books` (see `capabilities_of`). A
role lacking the capability gets a 403; an object outside the portfolio or the firm gets a 404.
The matrix, the rules and the walk test that checks every URL: docs/permissions.md.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

from django.db.models import Exists, Model, Q, QuerySet
from django.http import Http404, HttpRequest

from tantieme.condominiums.models import Condominium
from tantieme.tenancy.enums import StaffRole
from tantieme.users.models import PortfolioCondominium, User

M = TypeVar("M", bound=Model)


class Can(StrEnum):
    """A back-office capability."""

    VIEW = "view"  # every page that changes nothing
    EDIT_FILES = "edit_files"  # condominium and co-owner files: identity, contacts, lots, keys, notes
    MANAGE_ACCESS = "manage_access"  # extranet access of co-owners
    ANSWER_REQUESTS = "answer_requests"
    PUBLISH = "publish"  # documents and announcements on the extranet
    MANAGE_COUNCIL = "manage_council"  # the conseil syndical's members and space
    SELL_LOTS = "sell_lots"  # notary requests, état daté, mutation
    ISSUE_CALLS = "issue_calls"  # budgets, works operations, calls for funds
    KEEP_BOOKS = "keep_books"  # bank statements and lines, cheques, co-owner adjustments
    POST_ENTRIES = "post_entries"  # the accounting screens: manual entries, reversals, lettering
    CLOSE_YEARS = "close_years"  # open, close and approve fiscal years
    REFUND_PAYMENTS = "refund_payments"
    ENTER_INVOICES = "enter_invoices"  # suppliers, contracts, supplier invoices
    APPROVE_INVOICES = "approve_invoices"
    PAY_SUPPLIERS = "pay_suppliers"  # supplier payment batches
    FIRM_SETTINGS = "firm_settings"  # card payment settings and other firm-wide settings
    IMPORT_CONDOMINIUMS = "import_condominiums"  # set up or update a condominium from a spreadsheet


_EVERYONE = frozenset({Can.VIEW})

ROLE_CAPABILITIES: dict[str, frozenset[Can]] = {
    StaffRole.FIRM_ADMIN: frozenset(Can),
    # The gestionnaire runs the condominiums: files, co-owners, sales, requests, council, calls,
    # approves invoices; day-to-day bank work too (small firms have no separate accountant), but
    # not the accounting screens' manual entries and lettering, nor calls, closings and refunds.
    StaffRole.MANAGER: _EVERYONE
    | {
        Can.EDIT_FILES,
        Can.MANAGE_ACCESS,
        Can.ANSWER_REQUESTS,
        Can.PUBLISH,
        Can.MANAGE_COUNCIL,
        Can.SELL_LOTS,
        Can.KEEP_BOOKS,
        Can.ENTER_INVOICES,
        Can.APPROVE_INVOICES,
        Can.IMPORT_CONDOMINIUMS,
    },
    # The comptable keeps the books: entries, bank, calls, closing, refunds, invoices, payments.
    StaffRole.ACCOUNTANT: _EVERYONE
    | {
        Can.ANSWER_REQUESTS,
        Can.PUBLISH,
        Can.SELL_LOTS,
        Can.ISSUE_CALLS,
        Can.KEEP_BOOKS,
        Can.POST_ENTRIES,
        Can.CLOSE_YEARS,
        Can.REFUND_PAYMENTS,
        Can.ENTER_INVOICES,
        Can.PAY_SUPPLIERS,
        Can.IMPORT_CONDOMINIUMS,
    },
    # The assistante de copropriété: contact details, extranet access, requests, documents.
    StaffRole.ASSISTANT: _EVERYONE | {Can.EDIT_FILES, Can.MANAGE_ACCESS, Can.ANSWER_REQUESTS, Can.PUBLISH},
    StaffRole.READ_ONLY: _EVERYONE,
}


def role_can(role: str, capability: Can) -> bool:
    """Whether a staff role holds `capability`."""
    return capability in ROLE_CAPABILITIES.get(str(role), frozenset())


def roles_with(capability: Can) -> tuple[str, ...]:
    """The roles holding `capability` (for tests and documentation)."""
    return tuple(str(role) for role, held in ROLE_CAPABILITIES.items() if capability in held)


def can(request: HttpRequest, capability: Can) -> bool:
    """Whether the signed-in staff member (after `staff_required`) holds `capability`."""
    membership = getattr(request, "staff_membership", None)
    return membership is not None and role_can(membership.role, capability)


def capabilities_of(request: HttpRequest) -> dict[str, bool]:
    """{capability value: held} for templates: `{% if staff_can.keep_books %}`."""
    membership = getattr(request, "staff_membership", None)
    held = ROLE_CAPABILITIES.get(str(membership.role), frozenset()) if membership is not None else frozenset()
    return {capability.value: capability in held for capability in Can}


def portfolio_condominiums(user: User) -> QuerySet[Condominium]:
    """The condominiums of the firm in scope that `user` may see, as a query (ordered by code)."""
    portfolio = PortfolioCondominium.objects.filter(user=user)
    # One query, no round trip first: no portfolio row at all, or this condominium among the rows.
    visible = ~Exists(portfolio) | Q(pk__in=portfolio.values("condominium_id"))
    return Condominium.objects.filter(visible).order_by("code")


def condominiums_for_staff(user: User) -> list[Condominium]:
    """`portfolio_condominiums` as a list."""
    return list(portfolio_condominiums(user))


def portfolio_condominium_ids(user: User) -> list[int]:
    """The ids of `portfolio_condominiums(user)`, for filtering other models (`condominium_id__in=`)."""
    return list(portfolio_condominiums(user).values_list("pk", flat=True))


def portfolio_condominium(request: HttpRequest, pk: int) -> Condominium:
    """Condominium `pk` if it is in the staff member's portfolio (firm in scope); any other is a 404."""
    assert isinstance(request.user, User)
    condominium = portfolio_condominiums(request.user).filter(pk=pk).first()
    if condominium is None:
        raise Http404
    return condominium


def check_in_portfolio(request: HttpRequest, condominium_id: int) -> None:
    """404 unless `condominium_id` is in the staff member's portfolio (for objects that carry one)."""
    portfolio_condominium(request, condominium_id)


def in_portfolio(rows: QuerySet[M], user: Any, path: str = "condominium") -> QuerySet[M]:
    """`rows` narrowed to those whose `path` (a condominium relation) is in `user`'s portfolio.

    One subquery, no extra round trip: `in_portfolio(StatementLine.objects.all(), user)`.
    """
    assert isinstance(user, User)
    return rows.filter(**{f"{path}__in": portfolio_condominiums(user).values("pk")})
