"""Back office « Réglages du paiement par carte »: firm admins set which provider collects, keys write-only."""

from __future__ import annotations

from typing import Any

from tantieme.audit.models import AuditEvent
from tantieme.payments.enums import PaymentMode, ProviderKind
from tantieme.payments.models import PaymentProviderConfig
from tantieme.payments.queries import provider_config_for
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import World, client_for
from tests.factories import CondominiumFactory, StaffUserFactory

URL = "/gestion/paiements/reglages/"
LYRA_TEST_KEY = "CanaryTestKey-7Qx"
LYRA_PRODUCTION_KEY = "CanaryProdKey-9Zt"


def admin_client(world: World) -> Any:
    admin = StaffUserFactory(firm=world.horizon, membership=StaffRole.FIRM_ADMIN)
    return client_for(world.horizon, admin)


def form(scope: str = "cabinet", **changes: str) -> dict[str, str]:
    return {
        "scope": scope,
        "provider": ProviderKind.LYRA,
        "mode": PaymentMode.TEST,
        "shop_id": "12345678",
        "endpoint": "",
        "max_amount": "5000.00",
        "is_active": "on",
        **changes,
    }


def test_firm_setting_then_a_condominium_override_with_write_only_keys(world: World) -> None:
    client = admin_client(world)
    assert client.get(URL).status_code == 200

    response = client.post(URL, form(test_key=LYRA_TEST_KEY))
    assert response.status_code == 302
    response = client.post(URL, form(str(world.condo.pk), shop_id="87654321", test_key="OtherKey-1"))
    assert response.status_code == 302

    with firm_scope(world.horizon):
        firm_config = PaymentProviderConfig.objects.get(condominium__isnull=True)
        assert (firm_config.shop_id, firm_config.credentials) == ("12345678", {"test_key": LYRA_TEST_KEY})
        assert provider_config_for(world.condo).shop_id == "87654321"  # type: ignore[union-attr]
    page = client.get(URL).content.decode()
    assert LYRA_TEST_KEY not in page  # named as stored, never shown
    assert "Clé de test (Lyra)" in page
    edit = client.get(f"{URL}?pour={world.condo.pk}").content.decode()
    assert 'value="87654321"' in edit
    assert "OtherKey-1" not in edit
    events = AuditEvent.all_firms.filter(action="payments.config.saved")
    assert events.count() == 2
    assert all(LYRA_TEST_KEY not in str(event.data) for event in events)


def test_a_blank_key_keeps_the_stored_one_and_production_needs_its_key(world: World) -> None:
    client = admin_client(world)
    client.post(URL, form(test_key=LYRA_TEST_KEY))
    refused = client.post(URL, form(mode=PaymentMode.PRODUCTION))
    assert refused.status_code == 200
    assert "production_key" in refused.content.decode()
    assert client.post(URL, form(mode=PaymentMode.PRODUCTION, production_key=LYRA_PRODUCTION_KEY)).status_code == 302
    with firm_scope(world.horizon):
        config = PaymentProviderConfig.objects.get(condominium__isnull=True)
    assert config.mode == PaymentMode.PRODUCTION
    assert config.credentials == {"test_key": LYRA_TEST_KEY, "production_key": LYRA_PRODUCTION_KEY}


def test_the_test_bank_never_goes_to_production(world: World) -> None:
    response = admin_client(world).post(URL, form(provider=ProviderKind.SANDBOX, mode=PaymentMode.PRODUCTION))
    assert response.status_code == 200
    assert "banque de test" in response.content.decode().lower()
    with firm_scope(world.horizon):
        assert not PaymentProviderConfig.objects.exists()


def test_only_firm_administrators_reach_the_settings(world: World) -> None:
    for role in (StaffRole.MANAGER, StaffRole.ACCOUNTANT, StaffRole.READ_ONLY):
        staff = StaffUserFactory(firm=world.horizon, membership=role)
        assert client_for(world.horizon, staff).post(URL, form(test_key="x")).status_code == 403
    assert client_for(world.horizon, world.alice_user).get(URL).status_code == 404
    with firm_scope(world.horizon):
        assert not PaymentProviderConfig.objects.exists()


def test_another_firms_condominium_cannot_be_chosen(world: World) -> None:
    response = admin_client(world).post(URL, form(str(world.other_condo.pk), test_key="x"))
    assert response.status_code == 200  # not among the choices: a form error
    with firm_scope(world.rivage):
        assert not PaymentProviderConfig.objects.exists()


def test_the_page_runs_a_bounded_number_of_queries(world: World, django_assert_max_num_queries: Any) -> None:
    client = admin_client(world)
    client.post(URL, form(test_key=LYRA_TEST_KEY))
    for code in ("701", "702", "703"):
        condominium = CondominiumFactory(firm=world.horizon, code=code)
        client.post(URL, form(str(condominium.pk), test_key="k"))
    with django_assert_max_num_queries(12):
        assert client.get(URL).status_code == 200
