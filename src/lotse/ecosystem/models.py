"""The ecosystem directory: organisations, people, offers, needs and the taxonomy.

Models stay thin: they hold fields, choices and tiny derived properties.  Every
write with side effects lives in ``domain.py``, every read in ``selectors.py``,
every access decision in ``access.py``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    PUBLIC = "public", _("öffentlich")
    MEMBERS = "members", _("nur Mitglieder")
    HIDDEN = "hidden", _("verborgen")


class Vocabulary(models.TextChoices):
    CAPABILITY = "capability", _("KI-Fähigkeit")
    SECTOR = "sector", _("Branche")
    USE_CASE = "use_case", _("Anwendungsfall")


class TermStatus(models.TextChoices):
    SUGGESTED = "suggested", _("vorgeschlagen")
    APPROVED = "approved", _("freigegeben")
    REJECTED = "rejected", _("abgelehnt")


class Term(models.Model):
    """A controlled term of one vocabulary.  Only approved terms are facets."""

    vocabulary = models.CharField(_("Vokabular"), max_length=20, choices=Vocabulary.choices)
    slug = models.SlugField(_("Schlüssel"), max_length=80)
    name = models.CharField(_("Bezeichnung (Deutsch)"), max_length=120)
    name_en = models.CharField(_("Bezeichnung (Englisch)"), max_length=120, blank=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    source = models.CharField(_("Quelle"), max_length=200, blank=True)
    status = models.CharField(
        _("Status"), max_length=12, choices=TermStatus.choices, default=TermStatus.APPROVED
    )
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vorgeschlagen von"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggested_terms",
    )
    position = models.PositiveIntegerField(_("Reihenfolge"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Begriff")
        verbose_name_plural = _("Begriffe")
        ordering = ["vocabulary", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["vocabulary", "slug"], name="term_unique_slug"),
        ]
        indexes = [models.Index(fields=["vocabulary", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_approved(self) -> bool:
        return self.status == TermStatus.APPROVED

    @property
    def label(self) -> str:
        """The name in the active language (English name if there is one)."""
        if self.name_en and (get_language() or "de").startswith("en"):
            return self.name_en
        return self.name


class OrganisationKind(models.TextChoices):
    MEDIA_HOUSE = "media_house", _("Medienhaus/Verlag")
    BROADCASTER = "broadcaster", _("Rundfunkanbieter")
    PRODUCTION_STUDIO = "production_studio", _("Produktionsstudio")
    AGENCY = "agency", _("Agentur")
    AI_COMPANY = "ai_company", _("KI-Unternehmen")
    STARTUP = "startup", _("Start-up")
    RESEARCH_INSTITUTE = "research_institute", _("Forschungsinstitut")
    UNIVERSITY_CHAIR = "university_chair", _("Lehrstuhl/Hochschule")
    CULTURAL_ORGANISATION = "cultural_organisation", _("Kulturorganisation")
    NETWORK = "network", _("Initiative/Netzwerk")
    INVESTOR = "investor", _("Investor/Fonds")
    PUBLIC_BODY = "public_body", _("Öffentliche Einrichtung")


class SizeBand(models.TextChoices):
    SOLO = "1", _("1 Person")
    MICRO = "2-9", _("2–9 Beschäftigte")
    SMALL = "10-49", _("10–49 Beschäftigte")
    MEDIUM = "50-249", _("50–249 Beschäftigte")
    LARGE = "250+", _("250 und mehr Beschäftigte")


class DataResidency(models.TextChoices):
    ON_PREMISE = "on_premise", _("On-Premise (eigene Server)")
    EU_CLOUD = "eu_cloud", _("EU-Cloud")
    ANY = "any", _("beliebig")


class RegionalScope(models.TextChoices):
    LOCAL = "local", _("lokal")
    REGIONAL = "regional", _("regional")
    NATIONAL = "national", _("bundesweit")
    DACH = "dach", _("DACH")
    EU = "eu", _("EU")
    INTERNATIONAL = "international", _("international")


class ListingStatus(models.TextChoices):
    DRAFT = "draft", _("Entwurf")
    PUBLISHED = "published", _("veröffentlicht")
    CLOSED = "closed", _("erledigt")


class Organisation(models.Model):
    key = models.SlugField(
        _("Schlüssel"),
        max_length=120,
        unique=True,
        help_text=_("Stabiler Schlüssel für Import, Export und URLs."),
    )
    kind = models.CharField(_("Art"), max_length=30, choices=OrganisationKind.choices)
    name = models.CharField(_("Name"), max_length=200)
    short_description = models.CharField(_("Kurzbeschreibung"), max_length=300, blank=True)
    description = models.TextField(
        _("Beschreibung"), blank=True, help_text=_("Markdown; HTML wird bereinigt.")
    )
    website = models.URLField(_("Website"), blank=True)
    email = models.EmailField(_("Kontakt-E-Mail"), blank=True)
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postcode = models.CharField(_("PLZ"), max_length=12, blank=True)
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    region = models.CharField(_("Region/Bundesland"), max_length=100, blank=True)
    country = models.CharField(_("Land (ISO-Code)"), max_length=2, default="DE")
    latitude = models.FloatField(_("Breitengrad"), null=True, blank=True)
    longitude = models.FloatField(_("Längengrad"), null=True, blank=True)
    size_band = models.CharField(_("Größe"), max_length=10, choices=SizeBand.choices, blank=True)
    founded_year = models.PositiveSmallIntegerField(_("Gründungsjahr"), null=True, blank=True)
    logo = models.ImageField(_("Logo"), upload_to="logos/", blank=True)
    topics = models.ManyToManyField(
        Term, verbose_name=_("Themen"), blank=True, related_name="organisations"
    )
    sectors = models.ManyToManyField(
        Term, verbose_name=_("Branchen"), blank=True, related_name="sector_organisations"
    )
    verified = models.BooleanField(_("verifiziert"), default=False)
    verified_at = models.DateTimeField(_("verifiziert am"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verifiziert von"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_confirmed = models.DateField(
        _("zuletzt bestätigt"),
        default=dt.date.today,
        help_text=_("Wann die Angaben zuletzt von der Organisation bestätigt wurden."),
    )
    stale_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    is_fictional = models.BooleanField(
        _("fiktiv"), default=False, help_text=_("Demo-Eintrag, keine reale Organisation.")
    )
    source_note = models.CharField(_("Quelle der Angaben"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("angelegt"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    class Meta:
        verbose_name = _("Organisation")
        verbose_name_plural = _("Organisationen")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["kind"]),
            models.Index(fields=["region"]),
            models.Index(fields=["last_confirmed"]),
            models.Index(fields=["name"]),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("ecosystem:organisation_detail", kwargs={"key": self.key})

    def is_stale(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return (today - self.last_confirmed).days > settings.LOTSE_STALE_AFTER_DAYS


class Person(models.Model):
    """A person in the directory; may or may not have a login (``user``)."""

    PER_FIELD_VISIBILITY = ("email", "phone", "role_title", "bio", "memberships", "expertise")

    key = models.SlugField(_("Schlüssel"), max_length=120, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Konto"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    name = models.CharField(_("Name"), max_length=200)
    role_title = models.CharField(_("Rolle/Titel"), max_length=200, blank=True)
    bio = models.TextField(
        _("Über mich"), blank=True, help_text=_("Markdown; HTML wird bereinigt.")
    )
    email = models.EmailField(_("E-Mail"), blank=True)
    phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    expertise = models.ManyToManyField(
        Term, verbose_name=_("Expertise"), blank=True, related_name="experts"
    )
    languages = models.JSONField(
        _("Sprachen"), default=list, blank=True, help_text=_("ISO-639-1-Codes, z. B. de, en")
    )
    visibility = models.CharField(
        _("Sichtbarkeit des Profils"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
    )
    field_visibility = models.JSONField(
        _("Sichtbarkeit je Feld"),
        default=dict,
        blank=True,
        help_text=_("Feldname → public/members/hidden; fehlende Felder: siehe Voreinstellung."),
    )
    is_fictional = models.BooleanField(_("fiktiv"), default=False)
    created_at = models.DateTimeField(_("angelegt"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    organisations: models.ManyToManyField[Organisation, Membership] = models.ManyToManyField(
        Organisation, through="Membership", related_name="people", blank=True
    )

    # Defaults when a field has no explicit setting: contact details stay inside
    # the network, everything else is public.
    DEFAULT_FIELD_VISIBILITY = {
        "email": Visibility.MEMBERS,
        "phone": Visibility.HIDDEN,
        "role_title": Visibility.PUBLIC,
        "bio": Visibility.PUBLIC,
        "memberships": Visibility.PUBLIC,
        "expertise": Visibility.PUBLIC,
    }

    class Meta:
        verbose_name = _("Person")
        verbose_name_plural = _("Personen")
        ordering = ["name"]
        indexes = [models.Index(fields=["visibility", "name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("ecosystem:person_detail", kwargs={"key": self.key})

    def visibility_of(self, field: str) -> str:
        value = (
            self.field_visibility.get(field) if isinstance(self.field_visibility, dict) else None
        )
        if value in Visibility.values:
            return str(value)
        return str(self.DEFAULT_FIELD_VISIBILITY.get(field, Visibility.PUBLIC))


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("Mitglied")
    ADMIN = "admin", _("Profilverwaltung")


class Membership(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("Rolle"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    title = models.CharField(_("Funktion"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")
        constraints = [
            models.UniqueConstraint(fields=["person", "organisation"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.organisation}"


class OfferKind(models.TextChoices):
    PRODUCT = "product", _("KI-Produkt")
    SERVICE = "service", _("Dienstleistung")
    CONSULTING = "consulting", _("Beratung")
    TRAINING = "training", _("Schulung/Weiterbildung")
    RESEARCH = "research", _("Forschungspartnerschaft")
    FUNDING = "funding", _("Förderprogramm/Finanzierung")


class NeedKind(models.TextChoices):
    SOLUTION = "solution", _("Lösung")
    PARTNER = "partner", _("Partner")
    EXPERT = "expert", _("Expertise")
    TALENT = "talent", _("Talente/Studierende")
    FUNDING = "funding", _("Finanzierung/Investor")
    PILOT_CUSTOMER = "pilot_customer", _("Pilotkunde")


class Listing(models.Model):
    """What offers and needs have in common."""

    key = models.SlugField(_("Schlüssel"), max_length=120, unique=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE
    )
    contact = models.ForeignKey(
        Person,
        verbose_name=_("Ansprechperson"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    title = models.CharField(_("Titel"), max_length=200)
    description = models.TextField(
        _("Beschreibung"), blank=True, help_text=_("Markdown; HTML wird bereinigt.")
    )
    topics = models.ManyToManyField(Term, verbose_name=_("Themen"), blank=True)
    sectors = models.ManyToManyField(Term, verbose_name=_("Branchen"), blank=True, related_name="+")
    regional_scope = models.CharField(
        _("Reichweite"),
        max_length=20,
        choices=RegionalScope.choices,
        default=RegionalScope.REGIONAL,
    )
    languages = models.JSONField(_("Sprachen"), default=list, blank=True)
    data_residency = models.CharField(
        _("Datenhaltung"),
        max_length=12,
        choices=DataResidency.choices,
        default=DataResidency.ANY,
    )
    expires_on = models.DateField(_("gültig bis"), null=True, blank=True)
    status = models.CharField(
        _("Status"),
        max_length=12,
        choices=ListingStatus.choices,
        default=ListingStatus.PUBLISHED,
    )
    is_fictional = models.BooleanField(_("fiktiv"), default=False)
    created_at = models.DateTimeField(_("angelegt"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def is_expired(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.expires_on is not None and self.expires_on < today


class Offer(Listing):
    kind = models.CharField(_("Art"), max_length=20, choices=OfferKind.choices)

    class Meta(Listing.Meta):
        verbose_name = _("Angebot")
        verbose_name_plural = _("Angebote")
        default_related_name = "offers"
        indexes = [models.Index(fields=["status", "kind"])]

    def get_absolute_url(self) -> str:
        return reverse("ecosystem:offer_detail", kwargs={"key": self.key})


class Need(Listing):
    kind = models.CharField(_("Art"), max_length=20, choices=NeedKind.choices)

    class Meta(Listing.Meta):
        verbose_name = _("Bedarf")
        verbose_name_plural = _("Bedarfe")
        default_related_name = "needs"
        indexes = [models.Index(fields=["status", "kind"])]

    def get_absolute_url(self) -> str:
        return reverse("ecosystem:need_detail", kwargs={"key": self.key})


class ClaimStatus(models.TextChoices):
    PENDING = "pending", _("offen")
    APPROVED = "approved", _("bestätigt")
    REJECTED = "rejected", _("abgelehnt")


class OrganisationClaim(models.Model):
    """A user says: this existing organisation is mine.  A manager decides."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="claims")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_claims"
    )
    message = models.TextField(_("Begründung"), blank=True)
    status = models.CharField(
        max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Anspruch auf Organisation")
        verbose_name_plural = _("Ansprüche auf Organisationen")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=models.Q(status="pending"),
                name="claim_one_pending_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation}"


class Invitation(models.Model):
    """An organisation admin invites a colleague by e-mail."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("E-Mail"))
    role = models.CharField(
        max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Einladung")
        verbose_name_plural = _("Einladungen")

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"
