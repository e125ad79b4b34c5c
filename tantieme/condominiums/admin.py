from django.contrib import admin

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


class BuildingInline(admin.TabularInline[Building, Condominium]):
    model = Building
    extra = 0


class AllocationKeyInline(admin.TabularInline[AllocationKey, Condominium]):
    model = AllocationKey
    extra = 0


@admin.register(Condominium)
class CondominiumAdmin(admin.ModelAdmin[Condominium]):
    list_display = ["code", "name", "firm", "city"]
    list_filter = ["firm"]
    search_fields = ["code", "name", "city"]
    inlines = [BuildingInline, AllocationKeyInline]


class LotShareInline(admin.TabularInline[LotShare, Lot]):
    model = LotShare
    extra = 0


@admin.register(Lot)
class LotAdmin(admin.ModelAdmin[Lot]):
    list_display = ["condominium", "number", "kind", "building", "floor"]
    list_filter = ["condominium__firm", "kind"]
    inlines = [LotShareInline]


@admin.register(CoOwner)
class CoOwnerAdmin(admin.ModelAdmin[CoOwner]):
    list_display = ["reference", "civility", "last_name", "first_name", "condominium", "email"]
    list_filter = ["firm"]
    search_fields = ["reference", "last_name", "email"]
    filter_horizontal = ["users"]


@admin.register(Ownership)
class OwnershipAdmin(admin.ModelAdmin[Ownership]):
    list_display = ["lot", "co_owner", "start_date", "end_date"]
    raw_id_fields = ["lot", "co_owner"]


@admin.register(SyndicContact)
class SyndicContactAdmin(admin.ModelAdmin[SyndicContact]):
    list_display = ["name", "role", "firm", "condominium", "email", "phone"]
    list_filter = ["firm", "role"]
