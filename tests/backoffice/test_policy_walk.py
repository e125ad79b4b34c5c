"""The permission policy, walked (issue 13.6): every back-office URL × every staff role × an object
inside the portfolio, outside it, and at another firm.

The URLs and their objects are those of the isolation walk (`tests/test_isolation.py`: its `Demo`
and `BACKOFFICE_OBJECTS` providers), so a URL added there is walked here too. What each URL needs
comes from its view (`staff_required` records `required_capability` and `post_capability`), and
`tantieme.backoffice.policy.ROLE_CAPABILITIES` says which roles hold it. Expected:

- inside the portfolio: a role holding the capability is served (200, a redirect, or 405 when a
  POST-only view is opened with GET); a role without it gets a 403. POST-only views, and views
  whose POST needs another capability, also get an empty POST: 403 for a role without the POST
  capability, anything but 403 for the others (the action's success is not checked; every POST
  runs in a transaction rolled back afterwards, so the walk leaves the data as it found it);
- outside the portfolio, and another firm's object on that firm's host: 404 for a role holding the
  capability (objects of the firm rather than of a condominium, `BACKOFFICE_FIRM_WIDE` in
  tests/test_isolation.py, have no portfolio limit); a role without it gets its 403 first,
  answered before any lookup (the same for any id, so it says nothing about the object): checked
  inside, not asked again;
- lists without an object, seen by a staff member outside the portfolio, never show the
  portfolio's condominium;
- never a 500; and no POST-only view (an action) is open to read-only staff (`Can.VIEW`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, resolve, reverse

from tantieme.backoffice import urls as backoffice_urls
from tantieme.backoffice.policy import ROLE_CAPABILITIES, Can, role_can
from tantieme.condominiums.models import Condominium
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import firm_scope
from tantieme.users.models import PortfolioCondominium, User
from tests.conftest import client_for
from tests.factories import StaffUserFactory
from tests.test_isolation import BACKOFFICE_FIRM_WIDE, BACKOFFICE_OBJECTS, Demo

pytestmark = pytest.mark.slow

ROLES = (StaffRole.FIRM_ADMIN, StaffRole.MANAGER, StaffRole.ACCOUNTANT, StaffRole.ASSISTANT, StaffRole.READ_ONLY)
SERVED = (200, 302)
# The import preview needs a file uploaded in this session first: a 404 without one.
NEEDS_SESSION = {"import_preview"}


def backoffice_patterns(module: Any = backoffice_urls) -> list[URLPattern]:
    """Every pattern of the back office, those of included modules (same namespace) too."""
    patterns: list[URLPattern] = []
    for pattern in module.urlpatterns:
        if isinstance(pattern, URLPattern):
            patterns.append(pattern)
        elif isinstance(pattern, URLResolver) and pattern.namespace is None:
            patterns += backoffice_patterns(pattern.urlconf_module)
    return patterns


def test_every_backoffice_view_declares_its_capability() -> None:
    """A view without `staff_required` is not protected by the policy: the walk refuses it."""
    missing = [
        str(pattern.name)
        for pattern in backoffice_patterns()
        if not isinstance(getattr(pattern.callback, "required_capability", None), Can)
    ]
    assert missing == [], f"back-office views without @staff_required: {missing}"


def test_every_role_has_its_capabilities() -> None:
    assert set(ROLE_CAPABILITIES) == set(ROLES)
    for role in ROLES:
        assert role_can(role, Can.VIEW)
    assert all(role_can(StaffRole.FIRM_ADMIN, capability) for capability in Can)
    assert [c for c in Can if role_can(StaffRole.READ_ONLY, c)] == [Can.VIEW]


# --- The walk ---------------------------------------------------------------------------------


def _read(response: Any) -> Any:
    if response.streaming:  # read it through the client's wrapper, which closes the file
        response.walk_body = b"".join(response.streaming_content)
    return response


def _body(response: Any) -> str:
    return (response.walk_body if response.streaming else response.content).decode(errors="replace")


def _get(client: Client, path: str) -> Any:
    return _read(client.get(path))


def _post(client: Client, path: str) -> Any:
    """An empty POST whose effects are rolled back (mails and tasks on commit never leave)."""
    with transaction.atomic():
        response = _read(client.post(path))
        transaction.set_rollback(True)
    return response


def _staff(firm: Firm, role: StaffRole, portfolio: list[Condominium]) -> Client:
    with firm_scope(firm):
        user: User = StaffUserFactory(firm=firm, membership=role)
        for condominium in portfolio:
            PortfolioCondominium.objects.create(firm=firm, user=user, condominium=condominium)
    client = client_for(firm, user)
    client.raise_request_exception = False  # a crash is a 500 in the report, not an abort
    return client


@dataclass(frozen=True)
class Url:
    name: str
    path: str
    has_object: bool
    needed: Can  # to GET
    needed_to_post: Can
    post_only: bool


@dataclass
class Walk:
    demo: Demo
    inside: dict[str, Client]  # portfolio: the demo's condominium 606
    outside: dict[str, Client]  # portfolio: another condominium of the firm
    other_firm: dict[str, Client]  # rivage's staff, on rivage's host
    problems: list[str] = field(default_factory=list)

    def expect(self, condition: bool, who: str, request: str, response: Any, wanted: object) -> None:
        if not condition:
            self.problems.append(f"{who} {request} -> {response.status_code}, expected {wanted}")

    def url(self, pattern: URLPattern) -> Url | None:
        name = str(pattern.name)
        has_object = bool(getattr(pattern.pattern, "converters", {}))
        if has_object:
            assert name in BACKOFFICE_OBJECTS, f"backoffice:{name} has no provider in tests/test_isolation.py"
            path = reverse(f"backoffice:{name}", kwargs=BACKOFFICE_OBJECTS[name](self.demo))
        else:
            path = reverse(f"backoffice:{name}")
        view: Callable[..., Any] = resolve(path).func
        needed: Can | None = getattr(view, "required_capability", None)
        if needed is None:
            self.problems.append(f"{path}: its view has no @staff_required")
            return None
        # POST-only views answer a GET with 405 (before or after the role check, as they are written).
        post_only = _get(self.inside[StaffRole.FIRM_ADMIN], path).status_code == 405
        url = Url(name, path, has_object, needed, getattr(view, "post_capability", needed), post_only)
        if post_only and url.needed_to_post == Can.VIEW:
            self.problems.append(f"{path}: a POST-only view (an action) open to every role: give it a capability")
        return url

    def walk_inside(self, role: StaffRole, url: Url) -> None:
        who = f"{role} inside ({url.name}: {url.needed}/{url.needed_to_post})"
        response = _get(self.inside[role], url.path)
        if url.post_only:
            wanted: tuple[int, ...] = (405,) if role_can(role, url.needed) else (403, 405)
        elif role_can(role, url.needed):
            wanted = SERVED + ((404,) if url.name in NEEDS_SESSION else ())
        else:
            wanted = (403,)
        self.expect(response.status_code in wanted, who, f"GET {url.path}", response, wanted)
        if url.post_only or url.needed_to_post != url.needed:
            response = _post(self.inside[role], url.path)
            if role_can(role, url.needed_to_post):
                served = response.status_code != 403 and response.status_code < 500
                self.expect(served, who, f"POST {url.path}", response, "not 403")
            else:
                self.expect(response.status_code == 403, who, f"POST {url.path}", response, 403)

    def walk_elsewhere(self, role: StaffRole, url: Url) -> None:
        if url.has_object:
            # The object is 606's: outside the portfolio, and not rivage's.
            capability = url.needed_to_post if url.post_only else url.needed
            if not role_can(role, capability):
                return  # its 403 comes before any lookup, whatever the object: checked inside already
            send, method = (_post, "POST") if url.post_only else (_get, "GET")
            wanted = 404
            places = [("at another firm", self.other_firm)]
            if url.name not in BACKOFFICE_FIRM_WIDE:  # a supplier is no condominium's: no portfolio limit
                places.append(("outside the portfolio", self.outside))
            for where, clients in places:
                response = send(clients[role], url.path)
                self.expect(response.status_code == wanted, f"{role} {where}", f"{method} {url.path}", response, wanted)
        elif not url.post_only and role_can(role, url.needed):
            response = _get(self.outside[role], url.path)
            name = self.demo.condo.name
            leaked = response.status_code == 200 and name in _body(response)
            self.expect(not leaked, f"{role} outside the portfolio", f"GET {url.path}", response, f"no « {name} »")


def test_every_url_answers_each_role_inside_and_outside_the_portfolio(transactional_db: None) -> None:
    call_command("seed_demo", verbosity=0)
    demo = Demo()
    with firm_scope(demo.horizon):
        outside = Condominium.objects.exclude(pk=demo.condo.pk).order_by("code").first()
    assert outside is not None
    walk = Walk(
        demo=demo,
        inside={role: _staff(demo.horizon, role, [demo.condo]) for role in ROLES},
        outside={role: _staff(demo.horizon, role, [outside]) for role in ROLES},
        other_firm={role: _staff(demo.rivage, role, []) for role in ROLES},
    )
    urls = [url for pattern in backoffice_patterns() if (url := walk.url(pattern)) is not None]
    for url in urls:
        for role in ROLES:
            walk.walk_inside(role, url)
            walk.walk_elsewhere(role, url)

    assert len(urls) >= 80
    assert walk.problems == [], "\n".join(walk.problems)


def test_the_demo_firm_administrator_opens_the_card_payment_settings(transactional_db: None) -> None:
    """The README advertises the page: its demo account is the firm administrator (issue 13.6)."""
    call_command("seed_demo", verbosity=0, base_only=True)
    horizon = Firm.objects.get(slug="horizon")
    path = reverse("backoffice:payment_settings")
    answers = {}
    for login in ("direction@horizon.example", "gestion@horizon.example", "compta@horizon.example"):
        user = User.objects.get(firm=horizon, login=login)
        answers[login] = client_for(horizon, user).get(path).status_code
    assert answers == {
        "direction@horizon.example": 200,
        "gestion@horizon.example": 403,
        "compta@horizon.example": 403,
    }
