"""Operator admin: read-only views of payments and their events (configs are edited by services)."""

from __future__ import annotations

from django.contrib import admin

from tantieme.payments.models import Payment, PaymentEvent, PaymentProviderConfig


@admin.register(PaymentProviderConfig)
class PaymentProviderConfigAdmin(admin.ModelAdmin[PaymentProviderConfig]):
    list_display = ("firm", "condominium", "provider", "mode", "shop_id", "is_active")
    list_filter = ("provider", "mode", "is_active")
    readonly_fields = ("updated_at",)

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return PaymentProviderConfig.all_firms.select_related("firm", "condominium")


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin[Payment]):
    list_display = ("order_id", "firm", "co_owner", "amount", "state", "created_at", "posted_entry")
    list_filter = ("state", "provider", "mode")
    search_fields = ("order_id",)

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return Payment.all_firms.select_related("firm", "co_owner", "posted_entry")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(PaymentEvent)
class PaymentEventAdmin(admin.ModelAdmin[PaymentEvent]):
    list_display = ("created_at", "firm", "payment", "kind", "code", "accepted")
    list_filter = ("kind", "code", "accepted")

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return PaymentEvent.all_firms.select_related("firm", "payment")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
