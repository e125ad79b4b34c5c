"""Announcements: staff publish and archive, co-owners read them from the home page."""

from __future__ import annotations

from typing import Any

from tantieme.announcements.models import Announcement, AnnouncementRead
from tantieme.announcements.services import publish_announcement
from tantieme.audit.models import AuditEvent
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.scoping import firm_scope
from tantieme.users.models import User
from tests.conftest import World, client_for
from tests.factories import CoOwnerFactory, StaffUserFactory


def publish(world: World, title: str = "Coupure d'eau jeudi", *, condominium: Any = None) -> Announcement:
    condominium = condominium or world.condo
    with firm_scope(condominium.firm):
        return publish_announcement(
            condominium=condominium,
            title=title,
            body="De 9 h à 12 h, bâtiment A.",
            send_email=False,
            actor=world.manager,
        )


def test_staff_publish_with_email_to_consenting_co_owners_only(
    world: World, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with firm_scope(world.horizon):
        world.alice.email, world.alice.e_notification_consent = "alice@example.com", True
        world.alice.save()
        world.bob.email, world.bob.e_notification_consent = "bob@example.com", False
        world.bob.save()
    CoOwnerFactory(condominium=world.condo, reference="A6060003", e_notification_consent=True, email="")
    staff = client_for(world.horizon, world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            "/gestion/annonces/",
            {
                "condominium": world.condo.pk,
                "title": "Coupure d'eau jeudi",
                "body": "De 9 h à 12 h.",
                "send_email": "on",
            },
        )
    assert response.status_code == 302
    assert [message["To"] for message in smtp_server.messages] == ["alice@example.com"]
    with firm_scope(world.horizon):
        announcement = Announcement.objects.get()
    text = smtp_server.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert f"{world.horizon.base_url}/informations/{announcement.pk}/" in text
    event = AuditEvent.all_firms.get(action="announcements.announcement.published")
    assert event.data["emails"] == 1


def test_announcement_emails_speak_the_language_each_co_owner_chose(
    world: World, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with firm_scope(world.horizon):
        for co_owner, email in ((world.alice, "alice@example.com"), (world.bob, "bob@example.com")):
            co_owner.email, co_owner.e_notification_consent = email, True
            co_owner.save()
        User.objects.filter(pk=world.alice_user.pk).update(email="alice@example.com", language="en")
        with django_capture_on_commit_callbacks(execute=True):
            publish_announcement(
                condominium=world.condo, title="Coupure d'eau", body="Jeudi.", send_email=True, actor=world.manager
            )
    bodies = {
        message["To"]: message.get_body(preferencelist=("plain",)).get_content() for message in smtp_server.messages
    }
    assert "has published a notice" in bodies["alice@example.com"]
    assert "has published a notice" not in bodies["bob@example.com"]


def test_without_email_nothing_is_sent(world: World, smtp_server: Any, django_capture_on_commit_callbacks: Any) -> None:
    with firm_scope(world.horizon):
        world.alice.email, world.alice.e_notification_consent = "alice@example.com", True
        world.alice.save()
    staff = client_for(world.horizon, world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        staff.post("/gestion/annonces/", {"condominium": world.condo.pk, "title": "Info", "body": "Texte"})
    assert smtp_server.messages == []


def test_home_lists_announcements_unread_then_read(world: World) -> None:
    announcement = publish(world)
    client = client_for(world.horizon, world.alice_user)
    home = client.get("/").content.decode()
    assert "Mes informations" in home
    assert "Coupure d&#x27;eau jeudi" in home
    assert "non lu" in home
    detail = client.get(f"/informations/{announcement.pk}/")
    assert detail.status_code == 200
    assert "De 9 h à 12 h, bâtiment A." in detail.content.decode()
    with firm_scope(world.horizon):
        assert AnnouncementRead.objects.filter(announcement=announcement, user=world.alice_user).count() == 1
    client.get(f"/informations/{announcement.pk}/")  # twice: still one read
    with firm_scope(world.horizon):
        assert AnnouncementRead.objects.count() == 1
    home = client.get("/").content.decode()
    assert "non lu" not in home
    # Bob has not read it.
    assert "non lu" in client_for(world.horizon, world.bob_user).get("/").content.decode()


def test_archived_announcements_disappear(world: World) -> None:
    announcement = publish(world)
    staff = client_for(world.horizon, world.manager)
    assert staff.post(f"/gestion/annonces/{announcement.pk}/archiver/").status_code == 302
    client = client_for(world.horizon, world.alice_user)
    assert "Coupure" not in client.get("/").content.decode()
    assert client.get(f"/informations/{announcement.pk}/").status_code == 404
    assert "archivée" in staff.get("/gestion/annonces/").content.decode()


def test_isolation_of_announcements(world: World) -> None:
    rivage_announcement = publish(world, "Rivage seulement", condominium=world.other_condo)
    announcement = publish(world)
    url = f"/informations/{announcement.pk}/"
    assert client_for(world.horizon).get(url).status_code == 302
    assert client_for(world.rivage, world.charlie_user).get(url).status_code == 404
    assert "Coupure" not in client_for(world.rivage, world.charlie_user).get("/").content.decode()
    assert (
        client_for(world.horizon, world.alice_user).get(f"/informations/{rivage_announcement.pk}/").status_code == 404
    )
    rivage_staff = client_for(world.rivage, StaffUserFactory(firm=world.rivage))
    assert rivage_staff.post(f"/gestion/annonces/{announcement.pk}/archiver/").status_code == 404
    assert "Coupure" not in rivage_staff.get("/gestion/annonces/").content.decode()
    assert client_for(world.horizon, world.alice_user).get("/gestion/annonces/").status_code == 404


def test_read_only_staff_cannot_publish(world: World) -> None:
    reader = client_for(world.horizon, StaffUserFactory(firm=world.horizon, membership=StaffRole.READ_ONLY))
    assert reader.get("/gestion/annonces/").status_code == 200
    assert (
        reader.post("/gestion/annonces/", {"condominium": world.condo.pk, "title": "x", "body": "y"}).status_code == 403
    )


def test_home_runs_a_bounded_number_of_queries(world: World, django_assert_max_num_queries: Any) -> None:
    announcements = [publish(world, f"Info {index}") for index in range(30)]
    client = client_for(world.horizon, world.alice_user)
    for announcement in announcements[:10]:
        client.get(f"/informations/{announcement.pk}/")
    with django_assert_max_num_queries(10):
        assert client.get("/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(f"/informations/{announcements[-1].pk}/").status_code == 200


def test_the_announcements_list_sorts_and_exports(world: World) -> None:
    """Issue 13.7: sortable, paginated, CSV and XLSX (every announcement, not the last hundred)."""
    client = client_for(world.horizon, world.manager)
    for title in ("Bêta", "Alpha"):
        client.post("/gestion/annonces/", {"condominium": world.condo.pk, "title": title, "body": "Texte."})
    html = client.get("/gestion/annonces/", {"tri": "title"}).content.decode()
    assert html.index("Alpha") < html.index("Bêta")
    assert "2 annonces" in html
    csv = b"".join(client.get("/gestion/annonces/", {"format": "csv", "tri": "title"}).streaming_content).decode()
    header, first, second = csv.lstrip("\ufeff").splitlines()
    assert header == "Date;Copropriété;Titre;E-mail;Lectures;État"
    assert ";Alpha;" in first
    assert ";Bêta;" in second
