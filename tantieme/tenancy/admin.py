"""Operator admin (served only on OPERATOR_HOST, where every firm is in scope)."""

from django.contrib import admin

from tantieme.tenancy.models import Firm, StaffMembership


@admin.register(Firm)
class FirmAdmin(admin.ModelAdmin[Firm]):
    list_display = ["slug", "name", "city", "siren", "is_active"]
    search_fields = ["slug", "name", "legal_name", "siren"]
    list_filter = ["is_active"]


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin[StaffMembership]):
    list_display = ["user", "firm", "role"]
    list_filter = ["firm", "role"]
    raw_id_fields = ["user"]
