from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from lotse.accounts.models import User
from lotse.ecosystem.models import Person, Term, TermStatus
from lotse.events.models import (
    Event,
    EventSeries,
    Feedback,
    Material,
    MeetingSlot,
    Room,
    Session,
    Venue,
)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _f(form: forms.BaseForm, name: str) -> Any:
    """A form field, typed loosely (querysets and input formats differ per field class)."""
    return form.fields[name]


def _approved_terms() -> Any:
    return Term.objects.filter(status=TermStatus.APPROVED).order_by("vocabulary", "name")


class EventForm(forms.ModelForm):
    online_url = forms.URLField(label=_("Online-Link"), required=False, assume_scheme="https")

    class Meta:
        model = Event
        fields = [
            "title",
            "kind",
            "series",
            "episode_number",
            "summary",
            "description",
            "venue",
            "online_url",
            "starts_at",
            "ends_at",
            "language",
            "topics",
            "status",
            "host",
            "capacity",
            "requires_approval",
            "registration_open",
            "is_ai_literacy_training",
            "meeting_mode",
            "meeting_tables",
            "meeting_max_per_person",
            "organisers",
        ]
        widgets = {"starts_at": DateTimeInput(), "ends_at": DateTimeInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _f(self, "topics").queryset = _approved_terms()
        _f(self, "organisers").queryset = User.objects.filter(is_active=True).order_by("email")
        _f(self, "starts_at").input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        _f(self, "ends_at").input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("Das Ende muss nach dem Beginn liegen."))
        return data


class SessionForm(forms.ModelForm):
    guest_speaker_names = forms.CharField(
        label=_("weitere Referierende ohne Profil (eine Person je Zeile)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Session
        fields = [
            "title",
            "kind",
            "abstract",
            "description",
            "room",
            "starts_at",
            "ends_at",
            "speakers",
            "topics",
            "track",
            "language",
            "level",
            "capacity",
        ]
        widgets = {"starts_at": DateTimeInput(), "ends_at": DateTimeInput()}

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        _f(self, "room").queryset = (
            Room.objects.filter(venue_id=event.venue_id) if event.venue_id else Room.objects.none()
        )
        _f(self, "speakers").queryset = Person.objects.order_by("name")
        _f(self, "topics").queryset = _approved_terms()
        for name in ("starts_at", "ends_at"):
            _f(self, name).input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        if self.instance.pk:
            self.initial["guest_speaker_names"] = "\n".join(self.instance.guest_speakers or [])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("Das Ende muss nach dem Beginn liegen."))
        names = data.get("guest_speaker_names") or ""
        data["guest_speakers"] = [line.strip() for line in names.splitlines() if line.strip()]
        return data

    def domain_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("guest_speaker_names", None)
        return data


class VenueForm(forms.ModelForm):
    room_names = forms.CharField(
        label=_("Räume/Bühnen (einer je Zeile)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    class Meta:
        model = Venue
        fields = ["name", "street", "postcode", "city"]


class SeriesForm(forms.ModelForm):
    class Meta:
        model = EventSeries
        fields = ["title", "organiser_name", "description"]


class RoomForm(forms.Form):
    name = forms.CharField(label=_("Name des Raums/der Bühne"), max_length=120)
    capacity = forms.IntegerField(label=_("Plätze"), min_value=1, required=False)


class MaterialForm(forms.ModelForm):
    url = forms.URLField(label=_("Adresse"), required=False, assume_scheme="https")

    class Meta:
        model = Material
        fields = ["kind", "title", "url", "text"]


class FeedbackForm(forms.ModelForm):
    rating = forms.TypedChoiceField(
        label=_("Bewertung"),
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Feedback
        fields = ["rating", "comment"]


class ScheduleImportForm(forms.Form):
    file = forms.FileField(label=_("schedule.xml oder schedule.json"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.LOTSE_MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("Die Datei ist zu groß (höchstens %(mb)d MB).")
                % {"mb": settings.LOTSE_MAX_IMPORT_BYTES // (1024 * 1024)}
            )
        return upload


class MeetingProfileForm(forms.Form):
    offers = forms.CharField(
        label=_("Ich biete"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    seeks = forms.CharField(
        label=_("Ich suche"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Themen"),
        queryset=Term.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    slots = forms.ModelMultipleChoiceField(
        label=_("Ich bin verfügbar"),
        queryset=MeetingSlot.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _f(self, "topics").queryset = _approved_terms()
        _f(self, "slots").queryset = event.meeting_slots.order_by("starts_at")
        # In the event's time zone and the visitor's language ("27.11.2031 12:00–12:15").
        _f(self, "slots").label_from_instance = lambda slot: (
            formats.date_format(slot.starts_at.astimezone(event.tzinfo), "SHORT_DATETIME_FORMAT")
            + "–"
            + formats.time_format(slot.ends_at.astimezone(event.tzinfo))
        )


class MeetingSlotsForm(forms.Form):
    first_start = forms.DateTimeField(label=_("Erstes Zeitfenster ab"), widget=DateTimeInput())
    count = forms.IntegerField(label=_("Anzahl Zeitfenster"), min_value=1, max_value=96)
    minutes = forms.IntegerField(label=_("Dauer (Minuten)"), min_value=5, max_value=120, initial=15)
    gap = forms.IntegerField(
        label=_("Pause dazwischen (Minuten)"), min_value=0, max_value=60, initial=0
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _f(self, "first_start").input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
