"""Matchmaking, introductions and alliances.

Models stay thin.  Scoring lives in ``engine.py`` (pure functions) and
``selectors.py`` (database reads); every write lives in ``domain.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lotse.ecosystem.models import Organisation, Person, Term


class FundingRole(models.TextChoices):
    STARTUP = "startup", _("Start-up sucht Kapital")
    INVESTOR = "investor", _("Investor/Fonds")


class FundingStage(models.TextChoices):
    PRE_SEED = "pre_seed", _("Pre-Seed")
    SEED = "seed", _("Seed")
    SERIES_A = "series_a", _("Series A")
    SERIES_B_PLUS = "series_b_plus", _("Series B und später")


class FundingProfile(models.Model):
    """Financing data of an organisation: a start-up that seeks or an investor that invests.

    Start-ups fill in ``stages`` (one entry: the current stage) and ``amount_sought_eur``;
    investors fill in the stages they invest in, a ticket range, and their sectors and
    regions of interest (empty means: no restriction).
    """

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("Organisation"),
        on_delete=models.CASCADE,
        related_name="funding_profile",
    )
    role = models.CharField(_("Rolle"), max_length=10, choices=FundingRole.choices)
    stages = models.JSONField(
        _("Phasen"),
        default=list,
        blank=True,
        help_text=_("Start-up: aktuelle Phase; Investor: Phasen, in die investiert wird."),
    )
    amount_sought_eur = models.PositiveBigIntegerField(
        _("gesuchter Betrag (EUR)"), null=True, blank=True
    )
    ticket_min_eur = models.PositiveBigIntegerField(_("Ticket ab (EUR)"), null=True, blank=True)
    ticket_max_eur = models.PositiveBigIntegerField(_("Ticket bis (EUR)"), null=True, blank=True)
    sectors = models.ManyToManyField(
        Term, verbose_name=_("Branchen von Interesse"), blank=True, related_name="+"
    )
    regions = models.JSONField(
        _("Regionen von Interesse"),
        default=list,
        blank=True,
        help_text=_("Regionen/Bundesländer; leer heißt: keine Einschränkung."),
    )
    active = models.BooleanField(_("aktiv"), default=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    class Meta:
        verbose_name = _("Finanzierungsprofil")
        verbose_name_plural = _("Finanzierungsprofile")
        indexes = [models.Index(fields=["role", "active"])]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class OrganisationExposure(models.Model):
    """Accumulated attention and merit of an organisation in suggestion lists.

    ``exposure`` sums the position-discounted attention (1 / log2(1 + rank)) an
    organisation received; ``merit`` sums its relevance scores whenever it was a
    candidate.  The fair re-ranking boosts organisations whose exposure is below
    their share of merit (amortised fairness).
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="exposure"
    )
    exposure = models.FloatField(default=0.0)
    merit = models.FloatField(default=0.0)
    impressions = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Sichtbarkeit einer Organisation")
        verbose_name_plural = _("Sichtbarkeit der Organisationen")

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.exposure:.2f}"


class PersonSuggestionCount(models.Model):
    """How often a person was suggested as a contact on one day (capacity limit)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(default=timezone.localdate)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "day"], name="suggestion_count_unique"),
        ]
        indexes = [models.Index(fields=["day", "count"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.day}: {self.count}"


class IntroductionStatus(models.TextChoices):
    PENDING = "pending", _("offen")
    ACCEPTED = "accepted", _("angenommen")
    DECLINED = "declined", _("abgelehnt")
    WITHDRAWN = "withdrawn", _("zurückgezogen")


class IntroductionRequest(models.Model):
    """A member asks another person for an introduction (double opt-in)."""

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Absender"),
        on_delete=models.CASCADE,
        related_name="sent_introductions",
    )
    sender_person = models.ForeignKey(
        Person, verbose_name=_("Absender (Profil)"), on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.ForeignKey(
        Person,
        verbose_name=_("Empfänger"),
        on_delete=models.CASCADE,
        related_name="received_introductions",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("für Organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Gesetzt, wenn die Anfrage an den Kontakt einer Organisation geht."),
    )
    context = models.CharField(
        _("Anlass"),
        max_length=200,
        blank=True,
        help_text=_("Z. B. der Bedarf oder das Angebot, zu dem der Vorschlag entstand."),
    )
    message = models.TextField(_("Nachricht"))
    status = models.CharField(
        _("Status"),
        max_length=10,
        choices=IntroductionStatus.choices,
        default=IntroductionStatus.PENDING,
    )
    created_at = models.DateTimeField(_("gesendet"), default=timezone.now, db_index=True)
    decided_at = models.DateTimeField(_("entschieden"), null=True, blank=True)

    class Meta:
        verbose_name = _("Vorstellungsanfrage")
        verbose_name_plural = _("Vorstellungsanfragen")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["sender", "created_at"]),
            models.Index(fields=["recipient", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "recipient"],
                condition=models.Q(status="pending"),
                name="introduction_one_pending_per_pair",
            )
        ]

    def __str__(self) -> str:
        return f"{self.sender_person} → {self.recipient}"

    @property
    def is_accepted(self) -> bool:
        return self.status == IntroductionStatus.ACCEPTED


class Block(models.Model):
    """``blocker`` no longer receives introduction requests from ``blocked``."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Blockierung")
        verbose_name_plural = _("Blockierungen")
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} ⊘ {self.blocked_id}"


class AbuseReport(models.Model):
    """A recipient reports an introduction request to the network managers."""

    introduction = models.ForeignKey(
        IntroductionRequest, on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField(_("Begründung"))
    created_at = models.DateTimeField(default=timezone.now)
    handled = models.BooleanField(_("bearbeitet"), default=False)

    class Meta:
        verbose_name = _("Meldung")
        verbose_name_plural = _("Meldungen")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.reason[:60]


class CollaborationKind(models.TextChoices):
    PROJECT = "project", _("gemeinsames Projekt")
    CUSTOMER = "customer", _("Auftrag/Kundenbeziehung")
    RESEARCH = "research", _("Forschungskooperation")
    INVESTMENT = "investment", _("Investition")
    EVENT = "event", _("gemeinsame Veranstaltung")
    OTHER = "other", _("sonstige Zusammenarbeit")


class Alliance(models.Model):
    """An accepted introduction that led to a collaboration.

    The organisations (and their kinds) are copied at marking time, so the
    overview figures stay stable when people change organisations later.
    """

    introduction = models.OneToOneField(
        IntroductionRequest, on_delete=models.CASCADE, related_name="alliance"
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.CharField(_("Kurzbeschreibung"), max_length=500)
    kind = models.CharField(
        _("Art der Zusammenarbeit"),
        max_length=12,
        choices=CollaborationKind.choices,
        default=CollaborationKind.OTHER,
    )
    organisation_a = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation_b = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind_a = models.CharField(max_length=30, blank=True)
    kind_b = models.CharField(max_length=30, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Allianz")
        verbose_name_plural = _("Allianzen")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.description
