from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from lotse.accounts.models import User


@admin.register(User)
class LotseUserAdmin(UserAdmin):
    list_display = ("email", "first_name", "last_name", "is_network_manager", "is_active")
    list_filter = ("is_network_manager", "is_staff", "is_active")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("first_name", "last_name")}),
        (
            "Rechte",
            {"fields": ("is_active", "is_network_manager", "is_staff", "is_superuser", "groups")},
        ),
        ("Daten", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
