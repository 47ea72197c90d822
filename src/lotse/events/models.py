"""Events: conferences, webinar series, programmes, registration and 1:1 meetings.

Models stay thin: fields, choices and tiny derived properties.  Every write lives
in ``domain/``, every read in ``selectors.py``, every permission in ``access.py``.
Times are stored as aware datetimes (UTC in the database) and shown in the
event's time zone (``Event.time_zone``, default Europe/Berlin).
"""

from __future__ import annotations

import uuid
import zoneinfo

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lotse.ecosystem.models import Organisation, Person, Term

#: namespace of the stable session guids (uuid5 of "<event slug>/<session code>").
GUID_NAMESPACE = uuid.UUID("6f1d2a0c-3a59-5e0f-9a57-4c6f7473652e")


def session_guid(event_slug: str, code: str) -> uuid.UUID:
    return uuid.uuid5(GUID_NAMESPACE, f"{event_slug}/{code}")


class EventKind(models.TextChoices):
    CONFERENCE = "conference", _("Konferenz")
    WEBINAR = "webinar", _("Webinar")
    WORKSHOP = "workshop", _("Workshop")
    MEETUP = "meetup", _("Meetup")


class SessionKind(models.TextChoices):
    TALK = "talk", _("Vortrag")
    PANEL = "panel", _("Podium")
    WORKSHOP = "workshop", _("Workshop")
    FIRESIDE = "fireside", _("Kamingespräch")
    OTHER = "other", _("Sonstiges")


class Level(models.TextChoices):
    ALL = "all", _("für alle")
    BEGINNER = "beginner", _("Einstieg")
    INTERMEDIATE = "intermediate", _("Fortgeschritten")
    EXPERT = "expert", _("Expert:innen")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Entwurf")
    PUBLISHED = "published", _("veröffentlicht")
    CANCELLED = "cancelled", _("abgesagt")


class Venue(models.Model):
    name = models.CharField(_("Name"), max_length=200)
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postcode = models.CharField(_("PLZ"), max_length=12, blank=True)
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    is_fictional = models.BooleanField(_("fiktiv"), default=False)

    class Meta:
        verbose_name = _("Veranstaltungsort")
        verbose_name_plural = _("Veranstaltungsorte")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    """A stage or room of a venue."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("Name"), max_length=120)
    capacity = models.PositiveIntegerField(_("Plätze"), null=True, blank=True)
    position = models.PositiveIntegerField(_("Reihenfolge"), default=0)
    guid = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("Raum/Bühne")
        verbose_name_plural = _("Räume/Bühnen")
        ordering = ["venue", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "name"], name="room_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class EventSeries(models.Model):
    slug = models.SlugField(_("Schlüssel"), max_length=120, unique=True)
    title = models.CharField(_("Titel"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    organiser_name = models.CharField(_("Veranstalter"), max_length=200, blank=True)
    is_fictional = models.BooleanField(_("fiktiv"), default=False)
    source_note = models.CharField(_("Quelle der Angaben"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Veranstaltungsreihe")
        verbose_name_plural = _("Veranstaltungsreihen")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:series_detail", kwargs={"slug": self.slug})


class MeetingMode(models.TextChoices):
    OFF = "off", _("keine 1:1-Meetings")
    LIVE = "live", _("live: Anfrage und Zusage")
    BATCH = "batch", _("Wunschliste und Optimierung")


class Event(models.Model):
    slug = models.SlugField(_("Schlüssel"), max_length=120, unique=True)
    title = models.CharField(_("Titel"), max_length=200)
    kind = models.CharField(_("Art"), max_length=20, choices=EventKind.choices)
    series = models.ForeignKey(
        EventSeries,
        verbose_name=_("Reihe"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="episodes",
    )
    episode_number = models.PositiveIntegerField(_("Folge"), null=True, blank=True)
    summary = models.CharField(_("Kurzbeschreibung"), max_length=300, blank=True)
    description = models.TextField(
        _("Beschreibung"), blank=True, help_text=_("Markdown; HTML wird bereinigt.")
    )
    venue = models.ForeignKey(
        Venue, verbose_name=_("Ort"), null=True, blank=True, on_delete=models.PROTECT
    )
    online_url = models.URLField(_("Online-Link"), blank=True)
    starts_at = models.DateTimeField(_("Beginn"))
    ends_at = models.DateTimeField(_("Ende"))
    time_zone = models.CharField(_("Zeitzone"), max_length=60, default="Europe/Berlin")
    language = models.CharField(_("Sprache"), max_length=8, default="de")
    topics = models.ManyToManyField(Term, verbose_name=_("Themen"), blank=True, related_name="+")
    status = models.CharField(
        _("Status"), max_length=12, choices=EventStatus.choices, default=EventStatus.PUBLISHED
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Organisationsteam"),
        blank=True,
        related_name="organised_events",
    )
    host = models.ForeignKey(
        Organisation,
        verbose_name=_("Veranstalter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosted_events",
    )
    # Registration
    capacity = models.PositiveIntegerField(
        _("Plätze"), null=True, blank=True, help_text=_("Leer: unbegrenzt.")
    )
    requires_approval = models.BooleanField(_("Anmeldung muss bestätigt werden"), default=False)
    registration_open = models.BooleanField(_("Anmeldung geöffnet"), default=True)
    is_ai_literacy_training = models.BooleanField(
        _("Schulung zur KI-Kompetenz (Art. 4 KI-VO)"), default=False
    )
    # 1:1 meetings
    meeting_mode = models.CharField(
        _("1:1-Meetings"), max_length=8, choices=MeetingMode.choices, default=MeetingMode.OFF
    )
    meeting_tables = models.PositiveIntegerField(_("Tische für 1:1-Meetings"), default=10)
    meeting_max_per_person = models.PositiveIntegerField(
        _("höchstens Meetings je Person"), default=6
    )
    meetings_published_at = models.DateTimeField(null=True, blank=True)
    meetings_report = models.JSONField(default=dict, blank=True)
    #: changes with every programme edit; part of the programme cache key.
    programme_updated_at = models.DateTimeField(default=timezone.now)
    is_fictional = models.BooleanField(_("fiktiv"), default=False)
    source_note = models.CharField(_("Quelle der Angaben"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Veranstaltung")
        verbose_name_plural = _("Veranstaltungen")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:event_detail", kwargs={"slug": self.slug})

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("Europe/Berlin")

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    @property
    def is_online(self) -> bool:
        return bool(self.online_url) and self.venue_id is None


class Session(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    code = models.SlugField(_("Kürzel"), max_length=80)
    guid = models.UUIDField(_("GUID"), editable=False)
    title = models.CharField(_("Titel"), max_length=300)
    kind = models.CharField(
        _("Format"), max_length=20, choices=SessionKind.choices, default=SessionKind.TALK
    )
    abstract = models.TextField(_("Kurzfassung"), blank=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    room = models.ForeignKey(
        Room,
        verbose_name=_("Raum/Bühne"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    starts_at = models.DateTimeField(_("Beginn"))
    ends_at = models.DateTimeField(_("Ende"))
    speakers = models.ManyToManyField(
        Person, verbose_name=_("Referierende"), blank=True, related_name="event_sessions"
    )
    guest_speakers = models.JSONField(
        _("weitere Referierende (ohne Profil)"), default=list, blank=True
    )
    topics = models.ManyToManyField(Term, verbose_name=_("Themen"), blank=True, related_name="+")
    track = models.CharField(_("Track"), max_length=120, blank=True)
    language = models.CharField(_("Sprache"), max_length=8, default="de")
    level = models.CharField(_("Niveau"), max_length=16, choices=Level.choices, default=Level.ALL)
    capacity = models.PositiveIntegerField(
        _("Plätze (nur mit Einzelanmeldung)"),
        null=True,
        blank=True,
        help_text=_("Leer: keine Einzelanmeldung nötig."),
    )
    is_fictional = models.BooleanField(_("fiktiv"), default=False)

    class Meta:
        verbose_name = _("Programmpunkt")
        verbose_name_plural = _("Programmpunkte")
        ordering = ["starts_at", "room__position", "title"]
        constraints = [
            models.UniqueConstraint(fields=["event", "code"], name="session_unique_code"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["event", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:session_detail", kwargs={"slug": self.event.slug, "code": self.code})

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def needs_signup(self) -> bool:
        return self.capacity is not None


class MaterialKind(models.TextChoices):
    SLIDES = "slides", _("Folien")
    RECORDING = "recording", _("Aufzeichnung")
    LINK = "link", _("Link")
    NOTES = "notes", _("Notizen")


class Material(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(_("Art"), max_length=12, choices=MaterialKind.choices)
    title = models.CharField(_("Titel"), max_length=200)
    url = models.URLField(_("Adresse"), blank=True)
    text = models.TextField(_("Notizen"), blank=True, help_text=_("Markdown"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Material")
        verbose_name_plural = _("Materialien")
        ordering = ["kind", "created_at"]

    def __str__(self) -> str:
        return self.title


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("wartet auf Bestätigung")
    CONFIRMED = "confirmed", _("bestätigt")
    WAITING = "waiting", _("Warteliste")
    CANCELLED = "cancelled", _("storniert")
    REJECTED = "rejected", _("abgelehnt")


class Registration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("für Organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_registrations",
    )
    status = models.CharField(max_length=12, choices=RegistrationStatus.choices)
    created_at = models.DateTimeField(default=timezone.now)
    #: when the registration joined the waiting list (promotion order).
    queued_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    no_show = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("Anmeldung")
        verbose_name_plural = _("Anmeldungen")
        ordering = ["queued_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="registration_unique"),
        ]
        indexes = [models.Index(fields=["event", "status", "queued_at"])]

    def __str__(self) -> str:
        return f"{self.user} → {self.event}"


class SessionSignup(models.Model):
    """A seat in a limited session (workshop) for someone registered to the event."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="signups")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_signups"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Einzelanmeldung")
        verbose_name_plural = _("Einzelanmeldungen")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="signup_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.session_id}"


class Star(models.Model):
    """A session on someone's personal agenda."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="stars")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="starred_sessions"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="star_unique")]

    def __str__(self) -> str:
        return f"★ {self.session_id} ({self.user_id})"


class CalendarFeed(models.Model):
    """The secret token of a user's iCalendar subscription."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Kalender von {self.user_id}"


class Feedback(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_feedback"
    )
    rating = models.PositiveSmallIntegerField(_("Bewertung (1–5)"))
    comment = models.TextField(_("Kommentar"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Rückmeldung")
        verbose_name_plural = _("Rückmeldungen")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="feedback_unique"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 für {self.session_id}"


# --- 1:1 meetings ------------------------------------------------------------------


class MeetingSlot(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meeting_slots")
    starts_at = models.DateTimeField(_("Beginn"))
    ends_at = models.DateTimeField(_("Ende"))

    class Meta:
        verbose_name = _("Meeting-Zeitfenster")
        verbose_name_plural = _("Meeting-Zeitfenster")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["event", "starts_at"], name="meetingslot_unique"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="meetingslot_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%H:%M}"


class MeetingProfile(models.Model):
    """Someone's opt-in to 1:1 meetings at one event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meeting_profiles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_profiles"
    )
    offers = models.TextField(_("Ich biete"), blank=True)
    seeks = models.TextField(_("Ich suche"), blank=True)
    topics = models.ManyToManyField(Term, verbose_name=_("Themen"), blank=True, related_name="+")
    available_slots = models.ManyToManyField(
        MeetingSlot, verbose_name=_("verfügbar"), blank=True, related_name="available_profiles"
    )
    opted_in = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="meetingprofile_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.event_id}"


class MeetingRequestStatus(models.TextChoices):
    OPEN = "open", _("offen")
    ACCEPTED = "accepted", _("angenommen")
    DECLINED = "declined", _("abgelehnt")
    UNSCHEDULABLE = "unschedulable", _("kein gemeinsamer Termin")


class MeetingRequest(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meeting_requests")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    message = models.CharField(_("Nachricht"), max_length=500, blank=True)
    status = models.CharField(
        max_length=14, choices=MeetingRequestStatus.choices, default=MeetingRequestStatus.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "sender", "recipient"], name="meetingrequest_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sender_id} → {self.recipient_id} ({self.status})"


class WishKind(models.TextChoices):
    MUST_MEET = "must_meet", _("unbedingt treffen")
    WOULD_LIKE = "would_like", _("gern treffen")
    NO_THANKS = "no_thanks", _("nein danke")


class MeetingWish(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meeting_wishes")
    source = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=WishKind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "source", "target"], name="meetingwish_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id}: {self.kind}"


class MeetingStatus(models.TextChoices):
    PROVISIONAL = "provisional", _("vorläufig")
    CONFIRMED = "confirmed", _("bestätigt")
    CANCELLED = "cancelled", _("abgesagt")


class Meeting(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meetings")
    slot = models.ForeignKey(MeetingSlot, on_delete=models.CASCADE, related_name="meetings")
    table = models.PositiveIntegerField(_("Tisch"))
    person_a = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    person_b = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=12, choices=MeetingStatus.choices)
    source = models.CharField(max_length=8, choices=MeetingMode.choices)
    weight = models.FloatField(default=0)
    a_happened = models.BooleanField(null=True, blank=True)
    a_follow_up = models.BooleanField(null=True, blank=True)
    b_happened = models.BooleanField(null=True, blank=True)
    b_follow_up = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("1:1-Meeting")
        verbose_name_plural = _("1:1-Meetings")
        ordering = ["slot__starts_at", "table"]
        constraints = [
            # one booking per table and slot, enforced by the database
            models.UniqueConstraint(
                fields=["slot", "table"],
                condition=~models.Q(status="cancelled"),
                name="meeting_table_once_per_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id} + {self.person_b_id}, Tisch {self.table}"

    def other(self, user_id: int) -> int:
        return self.person_b_id if self.person_a_id == user_id else self.person_a_id

    @property
    def happened(self) -> bool:
        return bool(self.a_happened or self.b_happened)

    @property
    def follow_up(self) -> bool:
        return bool(self.a_follow_up or self.b_follow_up)
