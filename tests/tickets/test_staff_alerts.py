"""Staff are told of co-owners' requests (issue 16, item 5): the condominium's manager and the
assignee get an e-mail over SMTP at once, or a daily digest, or nothing, as they chose."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from tantieme.tenancy.enums import RequestAlerts, StaffRole
from tantieme.tenancy.models import StaffMembership
from tantieme.tenancy.scoping import firm_scope
from tantieme.tickets import services
from tantieme.tickets.staff_alerts import send_digests, staff_to_alert
from tantieme.users.models import PortfolioCondominium
from tests.conftest import World, client_for
from tests.factories import CondominiumFactory, StaffUserFactory
from tests.tickets.test_tickets import alice_ticket


def set_alerts(user: Any, choice: str) -> None:
    StaffMembership.all_firms.filter(user=user).update(request_alerts=choice)


def test_a_new_request_emails_the_manager_over_smtp(
    world: World, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(world.horizon, world.alice_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/mes-demandes/nouvelle/",
            {"category": "technical", "subject": "Porte du hall bloquée", "body": "Elle ne ferme plus."},
        )
    assert response.status_code == 302
    [message] = smtp_server.messages
    assert message["To"] == world.manager.email
    assert "Nouvelle demande" in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Porte du hall bloquée" in text
    assert "Elle ne ferme plus" not in text  # the message stays behind the sign-in
    assert f"{world.horizon.base_url}/gestion/demandes/" in text


def test_a_co_owner_reply_alerts_the_assignee_and_the_manager_once_each(
    world: World, django_capture_on_commit_callbacks: Any, smtp_server: Any
) -> None:
    accountant = StaffUserFactory(firm=world.horizon, membership=StaffRole.ACCOUNTANT)
    ticket = alice_ticket(world)
    with firm_scope(world.horizon):
        services.assign_ticket(ticket=ticket, assignee=accountant, actor=world.manager)
        assert {m.user_id for m in staff_to_alert(ticket)} == {world.manager.pk, accountant.pk}
        smtp_server.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.reply_to_ticket(ticket=ticket, author=world.alice_user, body="Toujours rien.")
    assert sorted(message["To"] for message in smtp_server.messages) == sorted([world.manager.email, accountant.email])
    assert all("Réponse d'un copropriétaire" in message["Subject"] for message in smtp_server.messages)


def test_managers_of_other_portfolios_are_not_alerted(world: World) -> None:
    other_condo = CondominiumFactory(firm=world.horizon, code="607")
    elsewhere = StaffUserFactory(firm=world.horizon)
    PortfolioCondominium.objects.create(firm=world.horizon, user=elsewhere, condominium=other_condo)
    ticket = alice_ticket(world)
    with firm_scope(world.horizon):
        # The demo manager has no portfolio (sees everything): alerted; the other holds only 607.
        assert [m.user_id for m in staff_to_alert(ticket)] == [world.manager.pk]
        PortfolioCondominium.objects.create(firm=world.horizon, user=elsewhere, condominium=world.condo)
        # Now one manager holds 606 explicitly: only they are.
        assert [m.user_id for m in staff_to_alert(ticket)] == [elsewhere.pk]


def test_digest_once_a_day_and_nothing_for_those_who_chose_none(
    world: World, django_capture_on_commit_callbacks: Any, smtp_server: Any
) -> None:
    set_alerts(world.manager, RequestAlerts.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        alice_ticket(world)
    assert smtp_server.messages == []  # no immediate e-mail
    now = timezone.localtime()
    morning = now.replace(hour=8, minute=0)  # the next 8 a.m., within 24 hours of the request
    if morning <= now:
        morning += datetime.timedelta(days=1)
    with firm_scope(world.horizon), django_capture_on_commit_callbacks(execute=True):
        assert send_digests(world.horizon, now=morning - datetime.timedelta(hours=2)) == 0  # before 7 a.m.
        assert send_digests(world.horizon, now=morning) == 1
        assert send_digests(world.horizon, now=morning + datetime.timedelta(hours=3)) == 0  # once a day
    [digest] = smtp_server.messages
    assert digest["To"] == world.manager.email
    assert "Fuite au plafond" in digest.get_body(preferencelist=("plain",)).get_content()

    set_alerts(world.manager, RequestAlerts.NONE)
    smtp_server.clear()
    with django_capture_on_commit_callbacks(execute=True):
        alice_ticket(world)
    assert smtp_server.messages == []


def test_the_staff_member_chooses_in_preferences(world: World) -> None:
    client = client_for(world.horizon, world.manager)
    assert client.get("/gestion/preferences/").status_code == 200
    response = client.post("/gestion/preferences/", {"request_alerts": "digest"})
    assert response.status_code == 302
    assert StaffMembership.all_firms.get(user=world.manager).request_alerts == RequestAlerts.DIGEST
    assert client.post("/gestion/preferences/", {"request_alerts": "always"}).status_code == 200  # refused
    assert StaffMembership.all_firms.get(user=world.manager).request_alerts == RequestAlerts.DIGEST
