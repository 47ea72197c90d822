from django.contrib import admin

from lotse.matching.models import (
    AbuseReport,
    Alliance,
    Block,
    FundingProfile,
    IntroductionRequest,
    OrganisationExposure,
)


@admin.register(FundingProfile)
class FundingProfileAdmin(admin.ModelAdmin):
    list_display = ("organisation", "role", "amount_sought_eur", "ticket_min_eur", "ticket_max_eur")
    list_filter = ("role", "active")
    search_fields = ("organisation__name",)
    autocomplete_fields = ("organisation",)
    filter_horizontal = ("sectors",)


@admin.register(IntroductionRequest)
class IntroductionRequestAdmin(admin.ModelAdmin):
    list_display = ("sender_person", "recipient", "status", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("sender", "sender_person", "recipient", "organisation")


@admin.register(AbuseReport)
class AbuseReportAdmin(admin.ModelAdmin):
    list_display = ("introduction", "reporter", "created_at", "handled")
    list_filter = ("handled",)
    raw_id_fields = ("introduction", "reporter")


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ("blocker", "blocked", "created_at")
    raw_id_fields = ("blocker", "blocked")


@admin.register(Alliance)
class AllianceAdmin(admin.ModelAdmin):
    list_display = ("description", "kind", "kind_a", "kind_b", "created_at")
    list_filter = ("kind",)
    raw_id_fields = ("introduction", "marked_by", "organisation_a", "organisation_b")


@admin.register(OrganisationExposure)
class OrganisationExposureAdmin(admin.ModelAdmin):
    list_display = ("organisation", "exposure", "merit", "impressions", "updated_at")
    ordering = ("-exposure",)
    raw_id_fields = ("organisation",)
