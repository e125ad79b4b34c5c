from django.contrib import admin

from tantieme.documents.models import CouncilMembership, Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin[Document]):
    list_display = ["title", "condominium", "category", "audience", "co_owner", "document_date", "archived_at"]
    list_filter = ["category", "audience"]
    readonly_fields = ["sha256", "size", "content_type", "original_filename", "file"]


@admin.register(CouncilMembership)
class CouncilMembershipAdmin(admin.ModelAdmin[CouncilMembership]):
    list_display = ["co_owner", "condominium", "start_date", "end_date"]
