from django.contrib import admin

from tantieme.notifications.models import OutboundMessage


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin[OutboundMessage]):
    list_display = ["created_at", "firm", "recipient", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "firm", "template"]
    search_fields = ["recipient", "subject"]
    readonly_fields = ["body_text", "body_html"]
