"""factory_boy factories. They write through `all_firms` so tests can build any firm's data."""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.db import models

from tantieme.condominiums.enums import ContactRole, KeyKind, LotKind
from tantieme.condominiums.models import (
    AllocationKey,
    Building,
    Condominium,
    CoOwner,
    Lot,
    LotShare,
    Ownership,
    SyndicContact,
)
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.models import Firm, StaffMembership
from tantieme.users.enums import UserKind
from tantieme.users.models import User

DEFAULT_PASSWORD = "Test-Password-2026!"


class ScopedFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _get_manager(cls, model_class: type[models.Model]) -> Any:
        return getattr(model_class, "all_firms", model_class._default_manager)


class FirmFactory(ScopedFactory):
    class Meta:
        model = Firm
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"cabinet{n}")
    name = factory.LazyAttribute(lambda o: f"Cabinet {o.slug.capitalize()}")
    legal_name = factory.LazyAttribute(lambda o: f"{o.name} SARL")
    address_line1 = "10 rue de la Paix"
    postal_code = "75002"
    city = "Paris"
    phone = "01 23 45 67 89"
    contact_email = factory.LazyAttribute(lambda o: f"contact@{o.slug}.example")
    siren = "732829320"
    professional_card = "CPI 7501 2020 000 000 001"
    financial_guarantor = "Galian, 89 rue La Boétie, 75008 Paris"


# Codes the tests give explicitly (the letter's 606 and 149, the demo's, the benches'): never generated.
CODES_NAMED_IN_TESTS = frozenset(
    {"149", "231", "412", "606", "607", "608", "612", "613", "700", "701", "707", "777", "778", "779", "808"}
)


class CondominiumFactory(ScopedFactory):
    class Meta:
        model = Condominium

    firm = factory.SubFactory(FirmFactory)
    name = factory.LazyAttribute(lambda o: f"Résidence {o.code}")

    @factory.lazy_attribute_sequence
    def code(self, n: int) -> str:
        """The next code free in the firm, never one the tests name themselves (the sequence runs over
        the whole session: « 606 » would come round after 506 condominiums and collide at random)."""
        firm_id = getattr(self.firm, "pk", None)  # None under .build(): nothing saved to collide with
        taken = set(Condominium.all_firms.filter(firm_id=firm_id).values_list("code", flat=True)) if firm_id else set()
        for step in range(900):
            code = f"{100 + (n + step) % 900:03d}"
            if code not in taken and code not in CODES_NAMED_IN_TESTS:
                return code
        raise RuntimeError("no condominium code left in this firm")

    address_line1 = "1 rue aux sources"
    postal_code = "75000"
    city = "Paris"
    iban = "FR1140031000010000113172M58"
    bic = "CDCGFRPPXXX"


class BuildingFactory(ScopedFactory):
    class Meta:
        model = Building

    condominium = factory.SubFactory(CondominiumFactory)
    code = factory.Sequence(lambda n: f"B{n}")
    name = factory.LazyAttribute(lambda o: f"Bâtiment {o.code}")


class LotFactory(ScopedFactory):
    class Meta:
        model = Lot

    condominium = factory.SubFactory(CondominiumFactory)
    number = factory.Sequence(lambda n: n + 1)
    kind = LotKind.APARTMENT
    floor = 1


class AllocationKeyFactory(ScopedFactory):
    class Meta:
        model = AllocationKey

    condominium = factory.SubFactory(CondominiumFactory)
    code = factory.Sequence(lambda n: f"K{n}")
    label = "Charges générales"
    total = 1000
    kind = KeyKind.SPECIAL


class LotShareFactory(ScopedFactory):
    class Meta:
        model = LotShare

    key = factory.SubFactory(AllocationKeyFactory)
    lot = factory.SubFactory(LotFactory, condominium=factory.SelfAttribute("..key.condominium"))
    shares = 100


class CoOwnerFactory(ScopedFactory):
    class Meta:
        model = CoOwner

    condominium = factory.SubFactory(CondominiumFactory)
    firm = factory.SelfAttribute("condominium.firm")
    reference = factory.Sequence(lambda n: f"A{{code}}{n + 1:04d}")
    civility = "M."
    last_name = factory.Sequence(lambda n: f"NOM{n}")
    first_name = "Jean"
    address_line1 = "1 rue aux sources"
    postal_code = "75000"
    city = "Paris"

    @classmethod
    def _create(cls, model_class: type[CoOwner], *args: Any, **kwargs: Any) -> CoOwner:
        kwargs["reference"] = kwargs["reference"].replace("{code}", kwargs["condominium"].code)
        return super()._create(model_class, *args, **kwargs)


class OwnershipFactory(ScopedFactory):
    class Meta:
        model = Ownership

    co_owner = factory.SubFactory(CoOwnerFactory)
    lot = factory.SubFactory(LotFactory, condominium=factory.SelfAttribute("..co_owner.condominium"))
    start_date = datetime.date(2015, 1, 1)


class SyndicContactFactory(ScopedFactory):
    class Meta:
        model = SyndicContact

    firm = factory.SubFactory(FirmFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    role = ContactRole.MANAGER
    email = factory.Sequence(lambda n: f"contact{n}@example.com")


class UserFactory(ScopedFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    firm = factory.SubFactory(FirmFactory)
    kind = UserKind.CO_OWNER
    login = factory.Sequence(lambda n: f"USER{n:04d}")
    first_name = "Jean"
    last_name = "Test"
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def save_password(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create:
            obj.save()


class StaffUserFactory(UserFactory):
    kind = UserKind.STAFF
    login = factory.Sequence(lambda n: f"staff{n}@example.com")
    email = factory.SelfAttribute("login")

    @factory.post_generation
    def membership(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create:
            StaffMembership.all_firms.create(firm=obj.firm, user=obj, role=extracted or StaffRole.MANAGER)


def co_owner_user(co_owner: CoOwner, **kwargs: Any) -> User:
    """A portal login for a co-owner account, named after its reference."""
    kwargs.setdefault("login", co_owner.reference)
    user = UserFactory(firm=co_owner.firm, **kwargs)
    co_owner.users.add(user)
    return user


def image_bytes(image_format: str = "PNG", *, size: tuple[int, int] = (4, 3), exif: bytes | None = None) -> bytes:
    """A small real JPEG or PNG (uploads are decoded and re-encoded), with EXIF if given."""
    from io import BytesIO

    from PIL import Image

    output = BytesIO()
    options = {"exif": exif} if exif else {}
    Image.new("RGB", size, (200, 30, 30)).save(output, image_format, **options)
    return output.getvalue()


def phone_exif() -> bytes:
    """EXIF as a phone writes it: the camera turned (orientation 6), the author and the GPS position."""
    from PIL import ExifTags, Image

    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Artist] = "Anne Dupont"
    exif[ExifTags.Base.Model] = "Phone 12"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 51.0, 24.0)
    return exif.tobytes()
