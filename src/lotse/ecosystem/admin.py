from django.contrib import admin

from lotse.ecosystem.models import (
    Invitation,
    Membership,
    Need,
    Offer,
    Organisation,
    OrganisationClaim,
    Person,
    Term,
)


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ("name", "vocabulary", "status", "slug", "name_en", "position")
    list_filter = ("vocabulary", "status")
    search_fields = ("name", "name_en", "slug")
    list_editable = ("status", "position")
    actions = ["approve"]

    @admin.action(description="Ausgewählte Begriffe freigeben")
    def approve(self, request, queryset):
        queryset.update(status="approved")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("person",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "city", "verified", "last_confirmed", "is_fictional")
    list_filter = ("kind", "verified", "is_fictional", "region")
    search_fields = ("name", "key", "city")
    filter_horizontal = ("topics", "sectors")
    inlines = [MembershipInline]
    readonly_fields = ("created_at", "updated_at")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "role_title", "visibility", "is_fictional")
    list_filter = ("visibility", "is_fictional")
    search_fields = ("name", "key", "email")
    filter_horizontal = ("expertise",)
    raw_id_fields = ("user",)


@admin.register(Offer, Need)
class ListingAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "kind", "status", "data_residency", "expires_on")
    list_filter = ("status", "kind", "data_residency")
    search_fields = ("title", "key", "organisation__name")
    filter_horizontal = ("topics", "sectors")
    raw_id_fields = ("organisation", "contact")


@admin.register(OrganisationClaim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ("organisation", "user", "status", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("organisation", "user", "decided_by")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("organisation", "email", "role", "created_at", "accepted_at")
    raw_id_fields = ("organisation", "invited_by")
