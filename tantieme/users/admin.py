from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from tantieme.users.models import User


@admin.register(User)
# The stubs type UserAdmin for AbstractUser subclasses only; ours extends AbstractBaseUser.
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    ordering = ["firm", "login"]
    list_display = ["login", "firm", "kind", "email", "is_active", "must_change_password"]
    list_filter = ["firm", "kind", "is_active"]
    search_fields = ["login", "email", "last_name"]
    fieldsets = (
        (None, {"fields": ("firm", "kind", "login", "password")}),
        ("Identité", {"fields": ("first_name", "last_name", "email", "language")}),
        (
            "Accès",
            {
                "fields": (
                    "is_active",
                    "must_change_password",
                    "temporary_password_expires_at",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined", "password_changed_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("firm", "kind", "login", "password1", "password2")}),)
