"""Portal "Mes informations": details change request, phone and consent, e-mail with password, language, logins."""

from __future__ import annotations

from typing import Any

from tantieme.audit.models import AuditEvent
from tantieme.tenancy.scoping import firm_scope
from tantieme.tickets.enums import TicketCategory
from tantieme.tickets.models import Ticket
from tantieme.users.models import User
from tests.conftest import World, client_for
from tests.factories import DEFAULT_PASSWORD

URL = "/mes-informations/"


def details_data(world: World, **changes: str) -> dict[str, str]:
    prefix = f"details-{world.alice.pk}-"
    current = {
        "civility": world.alice.civility,
        "last_name": world.alice.last_name,
        "first_name": world.alice.first_name,
        "address_line1": world.alice.address_line1,
        "address_line2": world.alice.address_line2,
        "postal_code": world.alice.postal_code,
        "city": world.alice.city,
        "country": world.alice.country,
    }
    current.update(changes)
    return {prefix + name: value for name, value in current.items()}


def test_page_shows_details_consent_password_link_and_recent_logins(world: World) -> None:
    client = client_for(world.horizon)
    response = client.post(
        "/compte/connexion/", {"username": "A6060001", "password": DEFAULT_PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 302
    body = client.get(URL).content.decode()
    assert "M. et Mme TEST" in body
    assert "1 rue aux sources" in body
    assert "/compte/mot-de-passe/" in body
    assert "203.0.113.7" in body
    assert "Dernières connexions" in body


def test_name_and_address_changes_become_an_administrative_request(world: World) -> None:
    client = client_for(world.horizon, world.alice_user)
    response = client.post(
        f"/mes-informations/{world.alice.pk}/coordonnees/", details_data(world, address_line1="5 avenue Foch")
    )
    assert response.status_code == 302
    with firm_scope(world.horizon):
        ticket = Ticket.objects.get()
        world.alice.refresh_from_db()
        first = ticket.messages.get()
    assert world.alice.address_line1 == "1 rue aux sources"  # not applied
    assert ticket.category == TicketCategory.ADMINISTRATIVE
    assert ticket.co_owner == world.alice
    assert "5 avenue Foch" in first.body
    assert "1 rue aux sources" in first.body
    assert response["Location"] == f"/mes-demandes/{ticket.pk}/"


def test_unchanged_details_are_not_sent(world: World) -> None:
    response = client_for(world.horizon, world.alice_user).post(
        f"/mes-informations/{world.alice.pk}/coordonnees/", details_data(world)
    )
    assert response.status_code == 400
    assert "Vous n&#x27;avez rien modifié." in response.content.decode()
    with firm_scope(world.horizon):
        assert not Ticket.objects.exists()


def test_phone_and_consent_are_applied_with_a_date(world: World) -> None:
    client = client_for(world.horizon, world.alice_user)
    prefix = f"contact-{world.alice.pk}-"
    response = client.post(
        f"/mes-informations/{world.alice.pk}/contact/",
        {prefix + "phone": "06 12 34 56 78", prefix + "e_notification_consent": "on"},
    )
    assert response.status_code == 302
    with firm_scope(world.horizon):
        world.alice.refresh_from_db()
    assert world.alice.phone == "06 12 34 56 78"
    assert world.alice.e_notification_consent is True
    assert world.alice.e_notification_consent_at is not None
    assert "Notifications électroniques acceptées le" in client.get(URL).content.decode()
    assert AuditEvent.all_firms.filter(action="condominiums.co_owner.contact_details_updated").exists()
    # Withdrawal.
    client.post(f"/mes-informations/{world.alice.pk}/contact/", {prefix + "phone": "06 12 34 56 78"})
    with firm_scope(world.horizon):
        world.alice.refresh_from_db()
    assert world.alice.e_notification_consent is False
    assert world.alice.e_notification_consent_at is None


def test_invalid_phone_is_refused(world: World) -> None:
    prefix = f"contact-{world.alice.pk}-"
    response = client_for(world.horizon, world.alice_user).post(
        f"/mes-informations/{world.alice.pk}/contact/", {prefix + "phone": "<script>"}
    )
    assert response.status_code == 400
    assert "Un numéro de téléphone" in response.content.decode()


def test_another_co_owner_s_account_cannot_be_changed(world: World) -> None:
    client = client_for(world.horizon, world.alice_user)
    prefix = f"contact-{world.bob.pk}-"
    assert (
        client.post(f"/mes-informations/{world.bob.pk}/contact/", {prefix + "phone": "0600000000"}).status_code == 404
    )
    assert client.post(f"/mes-informations/{world.bob.pk}/coordonnees/", {}).status_code == 404
    assert client.post(f"/mes-informations/{world.charlie.pk}/contact/", {}).status_code == 404
    with firm_scope(world.horizon):
        world.bob.refresh_from_db()
    assert world.bob.phone == ""


def test_email_change_needs_the_password_then_a_link(
    world: World, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(world.horizon, world.alice_user)
    refused = client.post("/mes-informations/email/", {"email": "new@example.com", "password": "wrong"})
    assert refused.status_code == 400
    assert "Mot de passe incorrect." in refused.content.decode()
    missing = client.post("/mes-informations/email/", {"email": "new@example.com"})
    assert missing.status_code == 400
    assert smtp_server.messages == []
    with django_capture_on_commit_callbacks(execute=True):
        accepted = client.post("/mes-informations/email/", {"email": "new@example.com", "password": DEFAULT_PASSWORD})
    assert accepted.status_code == 302
    [message] = smtp_server.messages
    assert message["To"] == "new@example.com"
    world.alice_user.refresh_from_db()
    assert world.alice_user.email == ""  # not before the link is opened
    assert "new@example.com" in client.get(URL).content.decode()  # shown as pending
    assert AuditEvent.all_firms.filter(action="users.email.change_refused").count() == 1


def test_language_is_stored_and_applied(world: World) -> None:
    client = client_for(world.horizon, world.alice_user)
    response = client.post("/mes-informations/langue/", {"language": "en"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    assert User.objects.get(pk=world.alice_user.pk).language == "en"
    assert '<html lang="en">' in client.get(URL).content.decode()


def test_anonymous_and_staff_are_kept_out(world: World) -> None:
    for url in (
        URL,
        f"/mes-informations/{world.alice.pk}/contact/",
        "/mes-informations/email/",
        "/mes-informations/langue/",
    ):
        response = client_for(world.horizon).post(url, {})
        assert response.status_code == 302
        assert response["Location"].startswith("/compte/connexion/")
    assert client_for(world.horizon, world.manager).get(URL)["Location"] == "/gestion/"


def test_page_runs_a_bounded_number_of_queries(world: World, django_assert_max_num_queries: Any) -> None:
    for _index in range(25):
        AuditEvent.all_firms.create(
            firm=world.horizon,
            actor=world.alice_user,
            action="users.login.succeeded",
            object_type="users.user",
            object_id=str(world.alice_user.pk),
            ip_address="198.51.100.1",
        )
    client = client_for(world.horizon, world.alice_user)
    with django_assert_max_num_queries(10):
        body = client.get(URL).content.decode()
    assert body.count("198.51.100.1") == 10


def test_sign_out_of_every_other_device_keeps_this_one(world: World) -> None:
    here, elsewhere = client_for(world.horizon), client_for(world.horizon)
    for client in (here, elsewhere):
        client.post("/compte/connexion/", {"username": "A6060001", "password": DEFAULT_PASSWORD})
        assert client.get("/").status_code == 200
    page = here.get("/mes-informations/").content.decode()
    assert "/mes-informations/sessions/" in page

    response = here.post("/mes-informations/sessions/", follow=True)

    assert "Vos autres sessions sont fermées" in response.content.decode()
    assert here.get("/").status_code == 200
    assert elsewhere.get("/")["Location"].startswith("/compte/connexion/")
    assert AuditEvent.all_firms.filter(action="users.sessions.ended", actor=world.alice_user).count() == 1
