from django.contrib import admin

from lotse.events import models


@admin.register(models.Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "status", "capacity", "meeting_mode"]
    list_filter = ["kind", "status", "meeting_mode", "is_fictional"]
    search_fields = ["title", "slug"]
    filter_horizontal = ["organisers", "topics"]


@admin.register(models.Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title", "event", "kind", "room", "starts_at", "language"]
    list_filter = ["kind", "language", "event"]
    search_fields = ["title", "code"]
    autocomplete_fields = ["speakers"]


@admin.register(models.Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["event", "user", "status", "queued_at", "checked_in_at", "no_show"]
    list_filter = ["status", "event"]


admin.site.register(
    [
        models.Venue,
        models.Room,
        models.EventSeries,
        models.Material,
        models.MeetingSlot,
        models.Meeting,
        models.Feedback,
    ]
)
