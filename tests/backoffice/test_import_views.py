"""The back office import: upload, preview, confirm; only for the firm's import roles."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tantieme.audit.models import AuditEvent
from tantieme.backoffice import imports
from tantieme.condominiums.models import Condominium, Lot
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import firm_scope
from tantieme.users.models import PortfolioCondominium, User
from tests.condominiums.import_samples import line_of, read, row_counts
from tests.conftest import World, client_for
from tests.factories import CondominiumFactory, StaffUserFactory

UPLOAD = reverse("backoffice:import_upload")
PREVIEW = reverse("backoffice:import_preview")


@pytest.fixture(autouse=True)
def var_dir(settings: pytest.FixtureRequest, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path  # type: ignore[attr-defined]
    return tmp_path


def staff_client(firm: Firm, user: User) -> Client:
    """A back-office client past the staff two-factor wall, as after a TOTP check."""
    client = client_for(firm, user)
    device = TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def upload(client: Client, name: str, content: bytes | None = None) -> str:
    """Upload a file and return the preview token it was given."""
    response = client.post(UPLOAD, {"file": SimpleUploadedFile(name, content if content is not None else read(name))})
    assert response.status_code == 302, response.content.decode()
    location = urlsplit(response["Location"])
    assert location.path == PREVIEW
    return parse_qs(location.query)["jeton"][0]


def pending_files(var_dir: Path) -> list[Path]:
    return sorted((var_dir / "imports").glob("*"))


def test_upload_preview_confirm(world: World, var_dir: Path) -> None:
    client = staff_client(world.horizon, world.manager)
    page = client.get(UPLOAD)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()
    before = row_counts()

    token = upload(client, "import_valid.csv")
    preview = client.get(PREVIEW, {"jeton": token})

    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Nouvelle copropriété 612 Résidence Les Tilleuls" in html
    assert (
        '<tr><th scope="row">Lots</th><td class="num">6</td><td class="num">0</td><td class="num">0</td></tr>' in html
    )
    assert "Lot 1, clé GEN : 2100/10000" in html
    assert "Confirmer l'import" in html
    assert f'name="jeton" value="{token}"' in html
    assert row_counts() == before  # the preview wrote nothing
    assert len(pending_files(var_dir)) == 1

    done = client.post(PREVIEW, {"jeton": token})

    assert done.status_code == 302
    assert done["Location"] == reverse("backoffice:home")
    with firm_scope(world.horizon):
        condo = Condominium.objects.get(code="612")
        assert Lot.objects.filter(condominium=condo).count() == 6
        event = AuditEvent.objects.get(action="condominiums.import.applied")
    assert event.actor == world.manager
    assert event.data["file"] == "import_valid.csv"
    assert pending_files(var_dir) == []
    home = client.get(reverse("backoffice:home"))
    assert "Import de la copropriété 612 Résidence Les Tilleuls terminé." in home.content.decode()
    # The token was used up: confirming twice is not possible.
    assert client.post(PREVIEW, {"jeton": token}).status_code == 404


def test_an_xlsx_workbook_is_previewed_too(world: World) -> None:
    client = staff_client(world.horizon, world.manager)

    token = upload(client, "import_valid.xlsx")

    html = client.get(PREVIEW, {"jeton": token}).content.decode()
    assert '<tr><th scope="row">Copropriétaires</th><td class="num">4</td>' in html


def test_a_wrong_file_shows_its_errors_and_cannot_be_confirmed(world: World) -> None:
    client = staff_client(world.horizon, world.manager)
    before = row_counts()
    token = upload(client, "import_bad_iban.csv")

    html = client.get(PREVIEW, {"jeton": token}).content.decode()

    assert "Le fichier contient 1 erreur : rien ne sera enregistré." in html
    row = line_of("import_bad_iban.csv", "copropriete;612;")
    assert f'<td class="num">{row}</td>\n          <td>iban</td>' in html
    assert "IBAN « FR76 3000 6000 0112 3456 7890 188 » invalide" in html
    assert "Confirmer" not in html
    forced = client.post(PREVIEW, {"jeton": token})
    assert forced.status_code == 200
    assert "Le fichier contient 1 erreur" in forced.content.decode()
    assert row_counts() == before


def test_nothing_to_change_is_said_and_not_offered(world: World) -> None:
    client = staff_client(world.horizon, world.manager)
    client.post(PREVIEW, {"jeton": upload(client, "import_valid.csv")})

    html = client.get(PREVIEW, {"jeton": upload(client, "import_valid.csv")}).content.decode()

    assert "Rien à modifier : la copropriété est déjà à jour." in html
    assert "Confirmer" not in html


def test_only_csv_and_xlsx_are_accepted(world: World, var_dir: Path) -> None:
    client = staff_client(world.horizon, world.manager)

    response = client.post(UPLOAD, {"file": SimpleUploadedFile("lots.pdf", b"%PDF-1.7")})

    assert response.status_code == 200
    assert "Déposez un fichier .csv ou .xlsx." in response.content.decode()
    assert pending_files(var_dir) == []


def test_another_firms_staff_cannot_see_or_confirm_a_preview(world: World) -> None:
    token = upload(staff_client(world.horizon, world.manager), "import_valid.csv")
    rivage_manager = StaffUserFactory(firm=world.rivage, login="gestion@rivage.example")
    rivage = staff_client(world.rivage, rivage_manager)

    assert rivage.get(PREVIEW, {"jeton": token}).status_code == 404
    assert rivage.post(PREVIEW, {"jeton": token}).status_code == 404
    assert row_counts()["Condominium"] == 2  # the fixture's two, nothing imported anywhere


def test_a_colleague_cannot_confirm_someone_elses_preview(world: World) -> None:
    token = upload(staff_client(world.horizon, world.manager), "import_valid.csv")
    colleague = staff_client(world.horizon, StaffUserFactory(firm=world.horizon))

    assert colleague.get(PREVIEW, {"jeton": token}).status_code == 404
    assert colleague.post(PREVIEW, {"jeton": token}).status_code == 404
    assert row_counts()["Condominium"] == 2


@pytest.mark.parametrize("token", ["", "../../settings", "x" * 43, "a/b"])
def test_unknown_tokens_are_not_found(world: World, token: str) -> None:
    client = staff_client(world.horizon, world.manager)
    upload(client, "import_valid.csv")

    assert client.get(PREVIEW, {"jeton": token}).status_code == 404
    assert client.post(PREVIEW, {"jeton": token}).status_code == 404


def test_an_expired_preview_is_gone(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    client = staff_client(world.horizon, world.manager)
    token = upload(client, "import_valid.csv")
    monkeypatch.setattr(imports, "PENDING_SECONDS", -1)

    assert client.post(PREVIEW, {"jeton": token}).status_code == 404
    assert row_counts()["Condominium"] == 2


@pytest.mark.parametrize("role", [StaffRole.FIRM_ADMIN, StaffRole.MANAGER, StaffRole.ACCOUNTANT])
def test_import_roles_may_import(world: World, role: StaffRole) -> None:
    client = staff_client(world.horizon, StaffUserFactory(firm=world.horizon, membership=role))

    assert client.get(UPLOAD).status_code == 200


def test_read_only_staff_may_not_import(world: World) -> None:
    client = staff_client(world.horizon, StaffUserFactory(firm=world.horizon, membership=StaffRole.READ_ONLY))
    token = upload(staff_client(world.horizon, world.manager), "import_valid.csv")

    assert client.get(UPLOAD).status_code == 403
    assert client.post(UPLOAD, {"file": SimpleUploadedFile("a.csv", read("import_valid.csv"))}).status_code == 403
    assert client.get(PREVIEW, {"jeton": token}).status_code == 403
    assert client.post(PREVIEW, {"jeton": token}).status_code == 403


def test_co_owners_and_visitors_never_reach_the_import(world: World) -> None:
    assert client_for(world.horizon, world.alice_user).get(UPLOAD).status_code == 404
    anonymous = client_for(world.horizon).get(UPLOAD)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("users:login"))


def test_an_import_may_not_change_a_condominium_outside_the_portfolio(world: World) -> None:
    """612 exists but another manager follows it: the file is refused, nothing changes (issue 13.6)."""
    with firm_scope(world.horizon):
        CondominiumFactory(firm=world.horizon, code="612", name="Résidence Les Tilleuls")
        PortfolioCondominium.objects.create(firm=world.horizon, user=world.manager, condominium=world.condo)
    client = staff_client(world.horizon, world.manager)
    before = row_counts()
    token = upload(client, "import_valid.csv")

    html = client.get(PREVIEW, {"jeton": token}).content.decode()
    assert "La copropriété 612 n&#x27;est pas dans votre portefeuille" in html
    assert "Confirmer" not in html
    assert client.post(PREVIEW, {"jeton": token}).status_code == 200
    assert row_counts() == before


def test_a_new_condominium_joins_its_importers_portfolio(world: World) -> None:
    with firm_scope(world.horizon):
        PortfolioCondominium.objects.create(firm=world.horizon, user=world.manager, condominium=world.condo)
    client = staff_client(world.horizon, world.manager)
    assert client.post(PREVIEW, {"jeton": upload(client, "import_valid.csv")}).status_code == 302
    with firm_scope(world.horizon):
        condo = Condominium.objects.get(code="612")
        assert PortfolioCondominium.objects.filter(user=world.manager, condominium=condo).exists()
