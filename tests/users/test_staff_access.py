"""AUTH-06 (staff TOTP), AC-03 (roles), issue 3 §2 (giving access) with mail through SMTP."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth.base_user import AbstractBaseUser
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tantieme.audit.models import AuditEvent
from tantieme.tenancy.enums import StaffRole
from tantieme.users.models import PortfolioCondominium, User
from tests.conftest import World, client_for
from tests.factories import CondominiumFactory, CoOwnerFactory, StaffUserFactory, co_owner_user
from tests.users.conftest import STRONG, links_in, login


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


def test_staff_enrol_totp_at_first_login_then_reach_the_back_office(world: World) -> None:
    client = client_for(world.horizon)
    assert login(client, "gestion@horizon.example", "Test-Password-2026!").status_code == 302
    # Password alone: every back-office page sends to the second factor.
    response = client.get("/gestion/")
    assert response.status_code == 302
    assert response["Location"] == "/compte/double-authentification/"
    assert client.get("/gestion/acces/")["Location"] == "/compte/double-authentification/"
    setup = client.get("/compte/double-authentification/", follow=True)
    page = setup.content.decode()
    assert "<svg" in page
    assert "<?xml" not in page
    device = TOTPDevice.objects.get(user=world.manager)
    assert not device.confirmed
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC), tick=False) as traveller:
        assert client.post("/compte/double-authentification/activer/", {"token": "000000"}).status_code == 200
        traveller.shift(datetime.timedelta(seconds=3))  # django-otp's own delay after a wrong code
        device.refresh_from_db()
        done = client.post("/compte/double-authentification/activer/", {"token": code_for(device)})
    assert done.status_code == 302
    assert client.get("/gestion/").status_code == 200
    assert AuditEvent.all_firms.filter(action="users.otp.enrolled").exists()


def test_a_totp_code_cannot_be_reused(world: World) -> None:
    device = TOTPDevice.objects.create(user=world.manager, name="phone", confirmed=True)
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC), tick=False):
        code = code_for(device)
        first = client_for(world.horizon)
        login(first, "gestion@horizon.example", "Test-Password-2026!")
        assert first.post("/compte/double-authentification/", {"token": code}).status_code == 302
        assert first.get("/gestion/").status_code == 200
        second = client_for(world.horizon)
        login(second, "gestion@horizon.example", "Test-Password-2026!")
        assert second.post("/compte/double-authentification/", {"token": code}).status_code == 200
        assert second.get("/gestion/").status_code == 302


def test_client_for_staff_is_otp_verified(world: World) -> None:
    assert client_for(world.horizon, world.manager).get("/gestion/").status_code == 200


def test_co_owners_and_other_firms_staff_never_see_the_back_office(world: World) -> None:
    assert client_for(world.horizon, world.alice_user).get("/gestion/acces/").status_code == 404
    rival = StaffUserFactory(firm=world.rivage)
    page = client_for(world.rivage, rival).get(f"/gestion/acces/copropriete/{world.condo.pk}/")
    assert page.status_code == 404


def test_read_only_and_accountant_cannot_give_access(world: World) -> None:
    for role in (StaffRole.READ_ONLY, StaffRole.ACCOUNTANT):
        staff = StaffUserFactory(firm=world.horizon, membership=role)
        client = client_for(world.horizon, staff)
        assert client.get(f"/gestion/acces/copropriete/{world.condo.pk}/").status_code == 200
        assert client.post(f"/gestion/acces/coproprietaire/{world.alice.pk}/ouvrir/").status_code == 403


def test_portfolio_limits_the_condominiums(world: World) -> None:
    other = CondominiumFactory(firm=world.horizon, code="707")
    PortfolioCondominium.objects.create(firm=world.horizon, user=world.manager, condominium=other)
    client = client_for(world.horizon, world.manager)
    assert client.get(f"/gestion/acces/copropriete/{world.condo.pk}/").status_code == 404
    assert client.get(f"/gestion/acces/copropriete/{other.pk}/").status_code == 200


def test_invitation_by_email_then_activation(world: World, smtp_server, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    co_owner = CoOwnerFactory(condominium=world.condo, reference="A6060042", email="paul@example.com")
    staff = client_for(world.horizon, world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(f"/gestion/acces/coproprietaire/{co_owner.pk}/ouvrir/")
    assert response.status_code == 302
    [message] = smtp_server.messages
    assert message["To"] == "paul@example.com"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "A6060042" in text
    [link] = links_in(text)
    assert link.startswith(f"{world.horizon.base_url}/compte/activer/")
    path = link.removeprefix(world.horizon.base_url)
    user = User.objects.get(firm=world.horizon, login="A6060042")
    assert not user.has_usable_password()
    client = client_for(world.horizon)
    assert client.post(path, {"new_password1": STRONG, "new_password2": STRONG}).status_code == 302
    assert "plus valable" in client.get(path).content.decode()
    assert login(client_for(world.horizon), "paul@example.com", STRONG).status_code == 302
    assert AuditEvent.all_firms.filter(action="users.access.invited", actor=world.manager).exists()


def test_activation_link_expires_after_14_days(world: World, smtp_server, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    co_owner = CoOwnerFactory(condominium=world.condo, reference="A6060043", email="lea@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.horizon, world.manager).post(f"/gestion/acces/coproprietaire/{co_owner.pk}/ouvrir/")
    [link] = links_in(smtp_server.messages[0].get_body(preferencelist=("plain",)).get_content())
    path = link.removeprefix(world.horizon.base_url)
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=14, minutes=1)):
        assert "plus valable" in client_for(world.horizon).get(path).content.decode()


def test_letters_for_co_owners_without_email(world: World, smtp_server, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    CoOwnerFactory(condominium=world.condo, reference="A6060050", email="")
    CoOwnerFactory(condominium=world.condo, reference="A6060051", email="")
    CoOwnerFactory(condominium=world.condo, reference="A6060052", email="zoe@example.com")
    staff = client_for(world.horizon, world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(f"/gestion/acces/copropriete/{world.condo.pk}/tous/")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response.content.count(b"/Type /Page\n") + response.content.count(b"/Type /Page>") >= 0
    from io import BytesIO

    pages = BytesIO(response.content).getvalue().count(b"/Type /Page") - BytesIO(response.content).getvalue().count(
        b"/Type /Pages"
    )
    assert pages == 2
    assert [m["To"] for m in smtp_server.messages] == ["zoe@example.com"]
    for login_name in ("A6060050", "A6060051"):
        user = User.objects.get(firm=world.horizon, login=login_name)
        assert user.must_change_password
        assert user.temporary_password_expires_at is not None
    # A second run gives nothing new: everyone has a login.
    again = staff.post(f"/gestion/acces/copropriete/{world.condo.pk}/tous/")
    assert again.status_code == 302


def test_reset_access_prints_a_new_temporary_password(world: World) -> None:
    staff = client_for(world.horizon, world.manager)
    alice_session = client_for(world.horizon)
    login(alice_session, "A6060001", "Test-Password-2026!")
    response = staff.post(f"/gestion/acces/utilisateur/{world.alice_user.pk}/reinitialiser/")
    assert response["Content-Type"] == "application/pdf"
    world.alice_user.refresh_from_db()
    assert world.alice_user.must_change_password
    assert alice_session.get("/").status_code == 302
    assert login(client_for(world.horizon), "A6060001", "Test-Password-2026!").status_code == 200
    assert AuditEvent.all_firms.filter(action="users.access.temporary_password_issued").exists()


def test_staff_end_a_co_owners_sessions_and_the_password_stays(world: World) -> None:
    """Issue 3 left this to "reset access" only: a lost phone should not cost a new letter."""
    phone, computer = client_for(world.horizon), client_for(world.horizon)
    for client in (phone, computer):
        assert login(client, "A6060001", "Test-Password-2026!").status_code == 302
        assert client.get("/").status_code == 200
    staff = client_for(world.horizon, world.manager)
    page = staff.get(f"/gestion/acces/copropriete/{world.condo.pk}/")
    assert f"/gestion/acces/utilisateur/{world.alice_user.pk}/deconnecter/" in page.content.decode()

    response = staff.post(f"/gestion/acces/utilisateur/{world.alice_user.pk}/deconnecter/")

    assert response.status_code == 302
    for client in (phone, computer):
        assert client.get("/")["Location"].startswith("/compte/connexion/")
    assert login(client_for(world.horizon), "A6060001", "Test-Password-2026!").status_code == 302
    event = AuditEvent.all_firms.get(action="users.sessions.ended")
    assert (event.actor, event.object_id) == (world.manager, str(world.alice_user.pk))


def test_ending_sessions_needs_a_manager(world: World) -> None:
    reader = StaffUserFactory(firm=world.horizon, membership=StaffRole.READ_ONLY)
    response = client_for(world.horizon, reader).post(f"/gestion/acces/utilisateur/{world.alice_user.pk}/deconnecter/")
    assert response.status_code == 403
    assert not AuditEvent.all_firms.filter(action="users.sessions.ended").exists()


def test_generation_zero_keeps_djangos_session_hash(world: World) -> None:
    """Sessions opened before the generation existed stay valid; raising it changes the hash."""
    user = world.alice_user
    django_hash = AbstractBaseUser._get_session_auth_hash(user)  # type: ignore[attr-defined]
    assert user.session_generation == 0
    assert user.get_session_auth_hash() == django_hash
    user.session_generation = 1
    assert user.get_session_auth_hash() != django_hash


def test_email_change_is_used_only_once_confirmed(
    world: World, smtp_server, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    staff = client_for(world.horizon, world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"/gestion/acces/utilisateur/{world.alice_user.pk}/email/", {"email": "new@example.com"})
    world.alice_user.refresh_from_db()
    assert world.alice_user.email == ""
    [message] = smtp_server.messages
    assert message["To"] == "new@example.com"
    [link] = links_in(message.get_body(preferencelist=("plain",)).get_content())
    path = link.removeprefix(world.horizon.base_url)
    client = client_for(world.horizon)
    assert client.get(path).status_code == 200
    world.alice_user.refresh_from_db()
    assert world.alice_user.email == ""  # GET confirms nothing
    assert client.post(path).status_code == 302
    world.alice_user.refresh_from_db()
    assert world.alice_user.email == "new@example.com"
    assert "plus valable" in client.post(path).content.decode()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_invitation_in_the_users_language(
    world: World, smtp_server, django_capture_on_commit_callbacks, language: str
) -> None:  # type: ignore[no-untyped-def]
    from tantieme.users.services import invite_user

    user = world.alice_user
    user.email = "alice@example.com"
    user.language = language
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        invite_user(user=user)
    subject = str(smtp_server.messages[0]["Subject"]).strip()
    assert subject.startswith("Votre accès" if language == "fr" else "Your access")


def test_access_page_gives_every_field_its_own_id(world: World) -> None:
    """Several co-owners per page, each with its forms: no id may repeat (a label names one field)."""
    import re
    from collections import Counter

    from tests.factories import co_owner_user as give_login

    give_login(world.bob, login="A6060002B")
    body = (
        client_for(world.horizon, world.manager).get(f"/gestion/acces/copropriete/{world.condo.pk}/").content.decode()
    )
    ids = Counter(re.findall(r'\sid="([^"]+)"', body))
    assert [name for name, count in ids.items() if count > 1] == []


def test_access_list_filters_sorts_pages_and_exports(world: World, django_assert_max_num_queries: object) -> None:
    """Issue 13.7: the access list of a condominium, in a bounded number of queries whatever its size."""
    for number in range(3, 63):
        co_owner = CoOwnerFactory(condominium=world.condo, reference=f"A606{number:04d}", last_name=f"NOM{number:02d}")
        if number % 2:
            co_owner_user(co_owner)
    client = client_for(world.horizon, world.manager)
    url = f"/gestion/acces/copropriete/{world.condo.pk}/"
    with django_assert_max_num_queries(15):  # type: ignore[operator]
        page = client.get(url, {"tri": "name", "ordre": "desc"}).content.decode()
    assert "62 copropriétaires" in page
    assert "Page 1 sur 2" in page
    assert page.index("NOM62") < page.index("NOM61")
    without = client.get(url, {"acces": "sans"}).content.decode()
    assert "NOM62" in without
    assert "NOM61" not in without
    found = client.get(url, {"q": "a 606 0042"}).content.decode()
    assert "1 copropriétaire" in found
    csv = b"".join(client.get(url, {"format": "csv", "acces": "avec"}).streaming_content).decode()
    assert csv.lstrip("\ufeff").startswith("Référence;Copropriétaire;E-mail;Accès")
    assert "A6060061" in csv
    assert "A 606 0062" not in csv
