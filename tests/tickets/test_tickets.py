"""Requests to the syndic: the co-owner's pages, the back office, attachments, e-mail, isolation."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client

from tantieme.audit.models import AuditEvent
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.scoping import firm_scope
from tantieme.tickets import services
from tantieme.tickets.enums import TicketCategory, TicketStatus
from tantieme.tickets.models import Ticket, TicketAttachment, TicketMessage
from tantieme.tickets.validators import check_attachment
from tests.conftest import World, client_for
from tests.factories import CoOwnerFactory, StaffUserFactory, co_owner_user, image_bytes, phone_exif
from tests.tickets.helpers import HTML, JPEG, PDF, PNG, upload


def new_request(client: Client, **extra: Any) -> Any:
    data = {"category": TicketCategory.TECHNICAL, "subject": "Fuite au plafond", "body": "L'eau coule.", **extra}
    return client.post("/mes-demandes/nouvelle/", data)


def alice_ticket(world: World, *, files: list[Any] | None = None) -> Ticket:
    from tantieme.tickets.validators import check_attachments

    with firm_scope(world.horizon):
        return services.open_ticket(
            co_owner=world.alice,
            author=world.alice_user,
            category=TicketCategory.TECHNICAL,
            subject="Fuite au plafond",
            body="L'eau coule dans la salle de bains.",
            files=check_attachments(files or []),
        )


def staff_reply(world: World, ticket: Ticket, body: str = "Le plombier passe jeudi.") -> TicketMessage:
    with firm_scope(world.horizon):
        return services.reply_to_ticket(ticket=ticket, author=world.manager, body=body)


def internal_note(world: World, ticket: Ticket) -> TicketMessage:
    with firm_scope(world.horizon):
        return services.add_internal_note(
            ticket=ticket,
            author=world.manager,
            body="NOTE-SECRETE : locataire difficile",
            files=[check_attachment(upload("interne.pdf", PDF))],
        )


# --- Co-owner side ------------------------------------------------------------------------------


def test_co_owner_opens_a_request_with_attachments_and_sees_it_listed(world: World) -> None:
    client = client_for(world.horizon, world.alice_user)
    response = new_request(client, attachments=[upload("photo.jpg", JPEG, "image/jpeg"), upload("devis.pdf", PDF)])
    assert response.status_code == 302
    with firm_scope(world.horizon):
        ticket = Ticket.objects.get()
        assert ticket.co_owner == world.alice
        assert ticket.condominium == world.condo
        assert ticket.created_by == world.alice_user
        assert ticket.status == TicketStatus.NEW
        attachments = list(TicketAttachment.objects.order_by("pk"))
    assert [(a.filename, a.content_type) for a in attachments] == [
        ("photo.jpg", "image/jpeg"),
        ("devis.pdf", "application/pdf"),
    ]
    assert all(a.file.name.startswith(f"tickets/{world.horizon.pk}/") for a in attachments)
    assert "photo" not in attachments[0].file.name  # stored under a random name
    assert response["Location"] == f"/mes-demandes/{ticket.pk}/"
    body = client.get("/mes-demandes/").content.decode()
    assert "Fuite au plafond" in body
    assert "Nouvelle" in body
    detail = client.get(response["Location"]).content.decode()
    assert "L&#x27;eau coule." in detail
    assert "devis.pdf" in detail
    assert AuditEvent.all_firms.filter(action="tickets.ticket.opened", object_id=str(ticket.pk)).exists()


def test_new_request_form_shows_clear_errors(world: World) -> None:
    client = client_for(world.horizon, world.alice_user)
    response = new_request(client, subject="", body="   ")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Écrivez votre message." in body
    assert 'aria-invalid="true"' in body
    with firm_scope(world.horizon):
        assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("evil.pdf", HTML, "n&#x27;est pas un PDF"),  # an HTML page named .pdf
        ("image.png", PDF, "n&#x27;est pas un PDF"),  # a PDF named .png: extension and content disagree
        ("script.php", PDF, "n&#x27;est pas un PDF"),
        ("vide.pdf", b"", "est vide"),
    ],
)
def test_uploads_are_checked_from_their_content(world: World, name: str, content: bytes, error: str) -> None:
    response = new_request(client_for(world.horizon, world.alice_user), attachments=[upload(name, content)])
    assert response.status_code == 200
    assert error in response.content.decode()
    with firm_scope(world.horizon):
        assert not Ticket.objects.exists()


def test_a_photo_is_stored_without_its_gps_position(world: World) -> None:
    photo = image_bytes("JPEG", exif=phone_exif())
    response = new_request(
        client_for(world.horizon, world.alice_user), attachments=[upload("fuite.jpg", photo, "image/jpeg")]
    )
    assert response.status_code == 302
    with firm_scope(world.horizon):
        attachment = TicketAttachment.objects.get()
        with attachment.file.open("rb") as stored:
            content = stored.read()
    assert b"Anne Dupont" not in content
    assert (attachment.size, attachment.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert content.startswith(b"\xff\xd8\xff")


def test_an_unreadable_image_is_refused_with_its_name(world: World) -> None:
    broken = b"\xff\xd8\xff\xe0" + b"\x00" * 64
    response = new_request(
        client_for(world.horizon, world.alice_user), attachments=[upload("photo.jpg", broken, "image/jpeg")]
    )
    assert response.status_code == 200
    assert "photo.jpg » est illisible ou endommagée" in response.content.decode()
    with firm_scope(world.horizon):
        assert not Ticket.objects.exists()


def test_uploads_over_ten_megabytes_are_refused(world: World) -> None:
    big = PDF + b"0" * (10 * 1024 * 1024)
    response = new_request(client_for(world.horizon, world.alice_user), attachments=[upload("gros.pdf", big)])
    assert "10 Mo au plus par fichier" in response.content.decode()
    with firm_scope(world.horizon):
        assert not Ticket.objects.exists()


def test_a_traversal_file_name_is_reduced_to_its_last_part(world: World) -> None:
    checked = check_attachment(upload("../../etc/x.php.pdf", PDF))
    assert checked.filename == "x.php.pdf"
    ticket = alice_ticket(world, files=[upload("../../etc/x.php.pdf", PDF)])
    with firm_scope(world.horizon):
        attachment = TicketAttachment.objects.get(message__ticket=ticket)
    assert attachment.file.name.endswith(".pdf")
    assert "etc" not in attachment.file.name


def test_more_than_five_files_are_refused(world: World) -> None:
    files = [upload(f"p{index}.png", PNG, "image/png") for index in range(6)]
    response = new_request(client_for(world.horizon, world.alice_user), attachments=files)
    assert "5 fichiers au plus" in response.content.decode()


def test_attachment_download_is_private(world: World) -> None:
    ticket = alice_ticket(world, files=[upload("devis.pdf", PDF)])
    with firm_scope(world.horizon):
        attachment = TicketAttachment.objects.get(message__ticket=ticket)
    response = client_for(world.horizon, world.alice_user).get(f"/mes-demandes/piece-jointe/{attachment.pk}/")
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert "devis.pdf" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"] == "application/pdf"


def test_co_owner_reply_reopens_a_resolved_request(world: World) -> None:
    ticket = alice_ticket(world)
    with firm_scope(world.horizon):
        services.set_ticket_status(ticket=ticket, status=TicketStatus.RESOLVED, actor=world.manager)
    client = client_for(world.horizon, world.alice_user)
    response = client.post(f"/mes-demandes/{ticket.pk}/", {"body": "Toujours une fuite."})
    assert response.status_code == 302
    with firm_scope(world.horizon):
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.IN_PROGRESS
        assert ticket.messages.count() == 2


def test_contacts_page_links_to_a_new_request(world: World) -> None:
    body = client_for(world.horizon, world.alice_user).get("/contacts/").content.decode()
    assert "Écrire au syndic" in body
    assert 'href="/mes-demandes/nouvelle/"' in body


def test_a_co_owner_with_two_accounts_chooses_and_cannot_post_another_s(world: World) -> None:
    second = CoOwnerFactory(condominium=world.condo, reference="A6060009")
    second.users.add(world.alice_user)
    client = client_for(world.horizon, world.alice_user)
    assert new_request(client, account=second.pk).status_code == 302
    assert new_request(client, account=world.bob.pk).status_code == 200  # not a choice: form error
    with firm_scope(world.horizon):
        assert list(Ticket.objects.values_list("co_owner_id", flat=True)) == [second.pk]


# --- Staff side and e-mail ----------------------------------------------------------------------


def test_staff_reply_reaches_the_co_owner_by_email(
    world: World, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    world.alice_user.email = "alice@example.com"
    world.alice_user.save()
    ticket = alice_ticket(world)
    staff = client_for(world.horizon, world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            f"/gestion/demandes/{ticket.pk}/repondre/",
            {"body": "Le plombier passe jeudi.", "attachments": [upload("bon.pdf", PDF)]},
        )
    assert response.status_code == 302
    [message] = smtp_server.messages
    assert message["To"] == "alice@example.com"
    assert "Fuite au plafond" in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert f"{world.horizon.base_url}/mes-demandes/{ticket.pk}/" in text
    assert "plombier" not in text  # the answer itself stays behind the sign-in
    with firm_scope(world.horizon):
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.IN_PROGRESS
    detail = client_for(world.horizon, world.alice_user).get(f"/mes-demandes/{ticket.pk}/").content.decode()
    assert "Le plombier passe jeudi." in detail
    assert "bon.pdf" in detail


def test_staff_reply_can_close_the_request(world: World, django_capture_on_commit_callbacks: Any) -> None:
    ticket = alice_ticket(world)
    staff = client_for(world.horizon, world.manager)
    staff.post(f"/gestion/demandes/{ticket.pk}/repondre/", {"body": "C'est réparé.", "close": "on"})
    with firm_scope(world.horizon):
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.RESOLVED
        assert ticket.resolved_at is not None


def test_internal_notes_stay_in_the_back_office(world: World) -> None:
    ticket = alice_ticket(world)
    staff = client_for(world.horizon, world.manager)
    response = staff.post(
        f"/gestion/demandes/{ticket.pk}/note/",
        {"body": "NOTE-SECRETE : locataire difficile", "attachments": [upload("interne.pdf", PDF)]},
    )
    assert response.status_code == 302
    assert "NOTE-SECRETE" in staff.get(f"/gestion/demandes/{ticket.pk}/").content.decode()
    alice = client_for(world.horizon, world.alice_user)
    for path in ("/mes-demandes/", f"/mes-demandes/{ticket.pk}/"):
        body = alice.get(path).content.decode()
        assert "NOTE-SECRETE" not in body
        assert "interne.pdf" not in body
    with firm_scope(world.horizon):
        attachment = TicketAttachment.objects.get(message__internal=True)
    assert alice.get(f"/mes-demandes/piece-jointe/{attachment.pk}/").status_code == 404
    assert staff.get(f"/gestion/demandes/piece-jointe/{attachment.pk}/").status_code == 200


def test_staff_assign_change_status_and_filter(world: World) -> None:
    ticket = alice_ticket(world)
    colleague = StaffUserFactory(firm=world.horizon, login="claire@horizon.example", last_name="Claire")
    staff = client_for(world.horizon, world.manager)
    assert staff.post(f"/gestion/demandes/{ticket.pk}/attribuer/", {"assignee": colleague.pk}).status_code == 302
    assert staff.post(f"/gestion/demandes/{ticket.pk}/etat/", {"status": TicketStatus.IN_PROGRESS}).status_code == 302
    with firm_scope(world.horizon):
        ticket.refresh_from_db()
    assert ticket.assigned_to == colleague
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert "Fuite au plafond" in staff.get(f"/gestion/demandes/?assigned={colleague.pk}").content.decode()
    assert "Fuite au plafond" not in staff.get("/gestion/demandes/?assigned=me").content.decode()
    assert "Fuite au plafond" not in staff.get("/gestion/demandes/?status=resolved").content.decode()
    assert (
        "Fuite au plafond" in staff.get(f"/gestion/demandes/?condominium={world.condo.pk}&status=all").content.decode()
    )
    # Close.
    staff.post(f"/gestion/demandes/{ticket.pk}/etat/", {"status": TicketStatus.RESOLVED})
    assert "Fuite au plafond" not in staff.get("/gestion/demandes/").content.decode()  # open ones by default
    actions = set(AuditEvent.all_firms.filter(object_id=str(ticket.pk)).values_list("action", flat=True))
    assert {"tickets.ticket.assigned", "tickets.ticket.status_changed"} <= actions


def test_cannot_assign_to_another_firm_s_staff(world: World) -> None:
    ticket = alice_ticket(world)
    outsider = StaffUserFactory(firm=world.rivage)
    staff = client_for(world.horizon, world.manager)
    assert staff.post(f"/gestion/demandes/{ticket.pk}/attribuer/", {"assignee": outsider.pk}).status_code == 400
    with firm_scope(world.horizon):
        ticket.refresh_from_db()
    assert ticket.assigned_to is None


def test_read_only_staff_read_but_cannot_answer(world: World) -> None:
    ticket = alice_ticket(world)
    reader = StaffUserFactory(firm=world.horizon, membership=StaffRole.READ_ONLY)
    client = client_for(world.horizon, reader)
    assert client.get(f"/gestion/demandes/{ticket.pk}/").status_code == 200
    assert client.post(f"/gestion/demandes/{ticket.pk}/repondre/", {"body": "x"}).status_code == 403


# --- Isolation ----------------------------------------------------------------------------------


def _portal_urls(ticket: Ticket, attachment: TicketAttachment) -> list[str]:
    return [f"/mes-demandes/{ticket.pk}/", f"/mes-demandes/piece-jointe/{attachment.pk}/"]


def _staff_urls(ticket: Ticket, attachment: TicketAttachment) -> list[str]:
    return [f"/gestion/demandes/{ticket.pk}/", f"/gestion/demandes/piece-jointe/{attachment.pk}/"]


def test_isolation_of_requests_and_attachments(world: World) -> None:
    ticket = alice_ticket(world, files=[upload("devis.pdf", PDF)])
    with firm_scope(world.horizon):
        attachment = TicketAttachment.objects.get()
    rivage_staff = StaffUserFactory(firm=world.rivage)
    anonymous = client_for(world.horizon)
    for url in [*_portal_urls(ticket, attachment), "/mes-demandes/", "/mes-demandes/nouvelle/"]:
        response = anonymous.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/compte/connexion/")
    bob = client_for(world.horizon, world.bob_user)
    for url in _portal_urls(ticket, attachment):
        assert bob.get(url).status_code == 404
    assert bob.post(f"/mes-demandes/{ticket.pk}/", {"body": "intrusion"}).status_code == 404
    assert "Fuite au plafond" not in bob.get("/mes-demandes/").content.decode()
    # Another firm's co-owner and staff, on their own host: the object does not exist there.
    charlie = client_for(world.rivage, world.charlie_user)
    for url in _portal_urls(ticket, attachment):
        assert charlie.get(url).status_code == 404
    rivage = client_for(world.rivage, rivage_staff)
    for url in _staff_urls(ticket, attachment):
        assert rivage.get(url).status_code == 404
    assert rivage.post(f"/gestion/demandes/{ticket.pk}/repondre/", {"body": "x"}).status_code == 404
    # A co-owner never reaches the back office.
    alice = client_for(world.horizon, world.alice_user)
    for url in _staff_urls(ticket, attachment):
        assert alice.get(url).status_code == 404
    # The rightful users.
    for url in _portal_urls(ticket, attachment):
        assert alice.get(url).status_code == 200
    staff = client_for(world.horizon, world.manager)
    for url in _staff_urls(ticket, attachment):
        assert staff.get(url).status_code == 200


def test_staff_limited_to_a_portfolio_do_not_see_other_condominiums(world: World) -> None:
    from tantieme.users.models import PortfolioCondominium
    from tests.factories import CondominiumFactory

    ticket = alice_ticket(world)
    other = CondominiumFactory(firm=world.horizon, code="707")
    limited = StaffUserFactory(firm=world.horizon)
    PortfolioCondominium.objects.create(firm=world.horizon, user=limited, condominium=other)
    client = client_for(world.horizon, limited)
    assert client.get(f"/gestion/demandes/{ticket.pk}/").status_code == 404
    assert "Fuite au plafond" not in client.get("/gestion/demandes/?status=all").content.decode()


# --- Query counts -------------------------------------------------------------------------------


def test_portal_request_pages_run_a_bounded_number_of_queries(world: World, django_assert_max_num_queries: Any) -> None:
    tickets = [alice_ticket(world, files=[upload("a.pdf", PDF), upload("b.png", PNG, "image/png")]) for _ in range(15)]
    for ticket in tickets[:5]:
        for _index in range(4):
            staff_reply(world, ticket)
            internal_note(world, ticket)
    client = client_for(world.horizon, world.alice_user)
    for url in ("/mes-demandes/", f"/mes-demandes/{tickets[0].pk}/", "/mes-demandes/nouvelle/"):
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200


def test_back_office_request_pages_run_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    tickets = [alice_ticket(world, files=[upload("a.pdf", PDF)]) for _ in range(15)]
    for _index in range(5):
        staff_reply(world, tickets[0])
        internal_note(world, tickets[0])
    staff = client_for(world.horizon, world.manager)
    for url in ("/gestion/demandes/?status=all", f"/gestion/demandes/{tickets[0].pk}/"):
        with django_assert_max_num_queries(15):
            assert staff.get(url).status_code == 200


def test_joint_login_sees_the_account_s_requests(world: World) -> None:
    ticket = alice_ticket(world)
    joint = co_owner_user(world.alice, login="A6060001B")
    assert client_for(world.horizon, joint).get(f"/mes-demandes/{ticket.pk}/").status_code == 200
