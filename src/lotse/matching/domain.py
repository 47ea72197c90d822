"""Writes of matchmaking: introductions (double opt-in), blocks, reports, alliances,
exposure bookkeeping and funding profiles.

Suggestions never contact anyone: only :func:`send_introduction`, called when a
member presses "Anfrage senden", sends a message, and contact details are
exchanged only in :func:`accept_introduction`.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lotse.accounts.models import User
from lotse.core.markdown import strip_html
from lotse.ecosystem.models import Organisation, Person, Term
from lotse.matching import engine, selectors
from lotse.matching.engine import Match
from lotse.matching.models import (
    AbuseReport,
    Alliance,
    Block,
    CollaborationKind,
    FundingProfile,
    FundingRole,
    FundingStage,
    IntroductionRequest,
    IntroductionStatus,
    OrganisationExposure,
    PersonSuggestionCount,
)

logger = logging.getLogger(__name__)

MIN_MESSAGE = 20
MERIT_DEPTH = 50
MAX_MESSAGE = 2000


class IntroductionError(ValidationError):
    """A request that must not be sent; the message says why, in German."""


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _mail(subject: str, body: str, recipients: Sequence[str]) -> None:
    recipients = [r for r in recipients if r]
    if not recipients:
        return
    prefix = getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "[Lotse] ")

    def deliver() -> None:
        try:
            send_mail(prefix + subject, body, None, recipients, fail_silently=False)
        except (OSError, smtplib.SMTPException):
            # The request itself is saved; a mail server outage must not turn into an error
            # page.  The inbox on the site shows every request anyway.
            logger.exception("Mail %r could not be sent", subject)

    transaction.on_commit(deliver)


def _recipient_address(person: Person) -> str:
    if person.user is not None and person.user.email:
        return person.user.email
    return person.email


# --- Introductions -------------------------------------------------------------------------


@transaction.atomic
def send_introduction(
    *,
    sender: User,
    recipient: Person,
    message: str,
    organisation: Organisation | None = None,
    context: str = "",
    now: dt.datetime | None = None,
) -> IntroductionRequest:
    """Send an introduction request; raises :class:`IntroductionError` with a clear reason."""
    now = now or timezone.now()
    sender_person = selectors.person_of(sender)
    if sender_person is None:
        raise IntroductionError(
            _("Bitte legen Sie zuerst Ihr Profil an, damit die andere Seite weiß, wer anfragt.")
        )
    if recipient.user_id is None or not recipient.user or not recipient.user.is_active:
        raise IntroductionError(
            _("Diese Person hat noch kein Konto und kann Anfragen nicht beantworten.")
        )
    if recipient.user_id == sender.pk:
        raise IntroductionError(_("Sie können sich nicht selbst eine Anfrage senden."))
    message = strip_html(message or "").strip()
    if len(message) < MIN_MESSAGE:
        raise IntroductionError(
            _("Bitte schreiben Sie ein paar Sätze (mindestens %(n)d Zeichen), worum es geht.")
            % {"n": MIN_MESSAGE}
        )
    if len(message) > MAX_MESSAGE:
        raise IntroductionError(
            _("Die Nachricht ist zu lang (höchstens %(n)d Zeichen).") % {"n": MAX_MESSAGE}
        )
    if selectors.is_blocked(sender, recipient.user_id):
        raise IntroductionError(_("Diese Person möchte keine Anfragen von Ihnen erhalten."))
    limit = selectors.daily_request_limit()
    # Lock the sender's row so that parallel requests cannot slip past the limit.
    User.objects.select_for_update().filter(pk=sender.pk).first()
    if selectors.requests_sent_since(sender, now - dt.timedelta(days=1)) >= limit:
        raise IntroductionError(
            _(
                "Sie haben in den letzten 24 Stunden bereits %(n)d Anfragen gesendet. "
                "Bitte versuchen Sie es morgen wieder."
            )
            % {"n": limit}
        )
    if IntroductionRequest.objects.filter(
        sender=sender, recipient=recipient, status=IntroductionStatus.PENDING
    ).exists():
        raise IntroductionError(_("Sie haben dieser Person bereits eine offene Anfrage gesendet."))
    try:
        with transaction.atomic():
            request = IntroductionRequest.objects.create(
                sender=sender,
                sender_person=sender_person,
                recipient=recipient,
                organisation=organisation,
                context=strip_html(context)[:200],
                message=message,
                created_at=now,
            )
    except IntegrityError as error:
        raise IntroductionError(
            _("Sie haben dieser Person bereits eine offene Anfrage gesendet.")
        ) from error
    link = _absolute(reverse("matching:request_detail", args=[request.pk]))
    _mail(
        _("Neue Vorstellungsanfrage von %(name)s") % {"name": sender_person.name},
        _(
            "Guten Tag %(recipient)s,\n\n%(sender)s möchte Sie über Lotse kennenlernen"
            "%(org)s und schreibt:\n\n%(message)s\n\n"
            "Ihre E-Mail-Adresse wird erst weitergegeben, wenn Sie die Anfrage annehmen.\n"
            "Annehmen oder ablehnen: %(link)s\n"
        )
        % {
            "recipient": recipient.name,
            "sender": sender_person.name,
            "org": (_(" (als Kontakt von %(org)s)") % {"org": organisation.name})
            if organisation
            else "",
            "message": message,
            "link": link,
        },
        [_recipient_address(recipient)],
    )
    return request


def _lock(request: IntroductionRequest) -> IntroductionRequest:
    return (
        IntroductionRequest.objects.select_for_update(of=("self",))
        .select_related("sender", "sender_person", "recipient", "recipient__user")
        .get(pk=request.pk)
    )


@transaction.atomic
def accept_introduction(request: IntroductionRequest, *, by: User) -> IntroductionRequest:
    request = _lock(request)
    if not selectors.can_decide_request(by, request):
        raise IntroductionError(_("Diese Anfrage können Sie nicht (mehr) annehmen."))
    request.status = IntroductionStatus.ACCEPTED
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_at"])
    details = selectors.contact_details(by, request) or {}
    link = _absolute(reverse("matching:request_detail", args=[request.pk]))
    body = _(
        "Guten Tag,\n\n%(recipient)s hat die Vorstellungsanfrage von %(sender)s angenommen.\n"
        "Sie können sich nun direkt schreiben:\n\n"
        "%(sender)s: %(sender_email)s\n%(recipient)s: %(recipient_email)s\n\n"
        "Wenn daraus eine Zusammenarbeit entsteht, vermerken Sie das gern hier: %(link)s\n"
    ) % {
        "recipient": details.get("recipient_name", ""),
        "sender": details.get("sender_name", ""),
        "sender_email": details.get("sender_email", ""),
        "recipient_email": details.get("recipient_email", ""),
        "link": link,
    }
    _mail(
        _("Vorstellung angenommen: %(a)s und %(b)s")
        % {"a": details.get("sender_name", ""), "b": details.get("recipient_name", "")},
        body,
        [request.sender.email, _recipient_address(request.recipient)],
    )
    return request


@transaction.atomic
def decline_introduction(request: IntroductionRequest, *, by: User) -> IntroductionRequest:
    request = _lock(request)
    if not selectors.can_decide_request(by, request):
        raise IntroductionError(_("Diese Anfrage können Sie nicht (mehr) ablehnen."))
    request.status = IntroductionStatus.DECLINED
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_at"])
    _mail(
        _("Ihre Vorstellungsanfrage an %(name)s") % {"name": request.recipient.name},
        _(
            "Guten Tag,\n\n%(name)s hat Ihre Vorstellungsanfrage leider abgelehnt. "
            "Ihre Kontaktdaten wurden nicht weitergegeben.\n"
        )
        % {"name": request.recipient.name},
        [request.sender.email],
    )
    return request


@transaction.atomic
def block_sender(request: IntroductionRequest, *, by: User) -> Block:
    """The recipient blocks the sender: open requests are declined, new ones refused."""
    request = _lock(request)
    if request.recipient.user_id != by.pk:
        raise IntroductionError(_("Nur die Empfängerin oder der Empfänger kann blockieren."))
    block, _created = Block.objects.get_or_create(blocker=by, blocked=request.sender)
    IntroductionRequest.objects.filter(
        sender=request.sender, recipient__user=by, status=IntroductionStatus.PENDING
    ).update(status=IntroductionStatus.DECLINED, decided_at=timezone.now())
    return block


@transaction.atomic
def report_introduction(request: IntroductionRequest, *, by: User, reason: str) -> AbuseReport:
    """The recipient reports a request to the network managers (they get an e-mail)."""
    if not selectors.can_view_request(by, request) or request.recipient.user_id != by.pk:
        raise IntroductionError(_("Diese Anfrage können Sie nicht melden."))
    reason = strip_html(reason or "").strip()
    if len(reason) < 5:
        raise IntroductionError(_("Bitte beschreiben Sie kurz, was nicht in Ordnung ist."))
    report = AbuseReport.objects.create(introduction=request, reporter=by, reason=reason[:2000])
    managers = list(
        User.objects.filter(is_active=True)
        .filter(models_q_manager())
        .values_list("email", flat=True)
    )
    _mail(
        _("Gemeldete Vorstellungsanfrage"),
        _(
            "Guten Tag,\n\n%(reporter)s hat eine Vorstellungsanfrage von %(sender)s gemeldet.\n\n"
            "Begründung:\n%(reason)s\n\nNachricht der Anfrage:\n%(message)s\n"
        )
        % {
            "reporter": by.email,
            "sender": request.sender.email,
            "reason": report.reason,
            "message": request.message,
        },
        managers,
    )
    return report


def models_q_manager() -> Any:
    from django.db.models import Q

    return Q(is_network_manager=True) | Q(is_superuser=True)


# --- Alliances -------------------------------------------------------------------------------


def _main_organisation(
    person: Person, preferred: Organisation | None = None
) -> Organisation | None:
    if preferred is not None:
        return preferred
    membership = person.memberships.select_related("organisation").order_by("pk").first()
    return membership.organisation if membership else None


@transaction.atomic
def mark_alliance(
    request: IntroductionRequest,
    *,
    by: User,
    description: str,
    kind: str = CollaborationKind.OTHER,
) -> Alliance:
    """Record that an accepted introduction led to a collaboration."""
    request = _lock(request)
    if request.status != IntroductionStatus.ACCEPTED or not selectors.can_view_request(by, request):
        raise IntroductionError(
            _("Nur Beteiligte einer angenommenen Vorstellung können eine Allianz vermerken.")
        )
    if Alliance.objects.filter(introduction=request).exists():
        raise IntroductionError(_("Für diese Vorstellung ist bereits eine Allianz vermerkt."))
    description = strip_html(description or "").strip()
    if len(description) < 5:
        raise IntroductionError(_("Bitte beschreiben Sie die Zusammenarbeit in einem Satz."))
    if kind not in CollaborationKind.values:
        raise IntroductionError(_("Unbekannte Art der Zusammenarbeit."))
    org_a = _main_organisation(request.sender_person)
    org_b = _main_organisation(request.recipient, request.organisation)
    return Alliance.objects.create(
        introduction=request,
        marked_by=by,
        description=description[:500],
        kind=kind,
        organisation_a=org_a,
        organisation_b=org_b,
        kind_a=org_a.kind if org_a else "",
        kind_b=org_b.kind if org_b else "",
    )


# --- Exposure and capacity -----------------------------------------------------------------


@transaction.atomic
def rank_fairly(matches: Sequence[Match], *, k: int = 10, record: bool = True) -> list[Match]:
    """Re-rank ``matches`` (the full candidate pool) for fair exposure and book the view."""
    org_ids = {m.organisation_id for m in matches if m.organisation_id is not None}
    state = selectors.exposure_state(org_ids)
    strength = float(getattr(settings, "LOTSE_FAIRNESS_STRENGTH", 0.15))
    shown = engine.fair_rerank(matches, state, k=k, strength=strength)
    if record:
        # Merit is booked for the best candidates only: they are the ones that could
        # have been shown, and a view then costs a few dozen row updates, not hundreds.
        record_exposure(engine.exposure_updates(shown, matches[:MERIT_DEPTH]))
    return shown


def record_exposure(updates: dict[int, engine.ExposureState]) -> None:
    if not updates:
        return
    existing = set(
        OrganisationExposure.objects.filter(organisation_id__in=list(updates)).values_list(
            "organisation_id", flat=True
        )
    )
    missing = [org_id for org_id in updates if org_id not in existing]
    if missing:
        OrganisationExposure.objects.bulk_create(
            [OrganisationExposure(organisation_id=org_id) for org_id in missing],
            ignore_conflicts=True,
        )
    for org_id, update in updates.items():
        OrganisationExposure.objects.filter(organisation_id=org_id).update(
            exposure=F("exposure") + update.exposure,
            merit=F("merit") + update.merit,
            impressions=F("impressions") + (1 if update.exposure > 0 else 0),
            updated_at=timezone.now(),
        )


@transaction.atomic
def record_person_suggestions(person_ids: Iterable[int], day: dt.date | None = None) -> None:
    """Count that these people were suggested once more today (capacity limit)."""
    day = day or timezone.localdate()
    ids = list(person_ids)
    if not ids:
        return
    PersonSuggestionCount.objects.bulk_create(
        [PersonSuggestionCount(person_id=pk, day=day, count=0) for pk in ids],
        ignore_conflicts=True,
    )
    PersonSuggestionCount.objects.filter(person_id__in=ids, day=day).update(count=F("count") + 1)


# --- Funding profiles ------------------------------------------------------------------------


@transaction.atomic
def save_funding_profile(
    organisation: Organisation,
    *,
    role: str,
    stages: Iterable[str] = (),
    amount_sought_eur: int | None = None,
    ticket_min_eur: int | None = None,
    ticket_max_eur: int | None = None,
    sectors: Iterable[Term] = (),
    regions: Iterable[str] = (),
    active: bool = True,
) -> FundingProfile:
    if role not in FundingRole.values:
        raise ValidationError(_("Unbekannte Rolle."))
    stage_list = sorted({s for s in stages if s})
    unknown = [s for s in stage_list if s not in FundingStage.values]
    if unknown:
        raise ValidationError(_("Unbekannte Phase: %(stage)s") % {"stage": ", ".join(unknown)})
    if role == FundingRole.STARTUP and len(stage_list) > 1:
        raise ValidationError(_("Ein Start-up hat genau eine aktuelle Phase."))
    if (
        ticket_min_eur is not None
        and ticket_max_eur is not None
        and ticket_min_eur > ticket_max_eur
    ):
        raise ValidationError(_("Das Mindestticket ist größer als das Höchstticket."))
    profile, _created = FundingProfile.objects.update_or_create(
        organisation=organisation,
        defaults={
            "role": role,
            "stages": stage_list,
            "amount_sought_eur": amount_sought_eur,
            "ticket_min_eur": ticket_min_eur,
            "ticket_max_eur": ticket_max_eur,
            "regions": sorted({" ".join(r.split()) for r in regions if r and r.strip()}),
            "active": active,
        },
    )
    profile.sectors.set(list(sectors))
    return profile
