"""Registration with capacity, waiting list, approval, session sign-up and check-in.

Concurrency: every write that counts seats first locks the event row
(``SELECT … FOR UPDATE`` on PostgreSQL).  SQLite has no row locks; there the
settings open every transaction with ``BEGIN IMMEDIATE``, which takes the
database's write lock before the count, so writers queue one after another.
Either way, the count and the insert happen under the same lock, so 200
simultaneous registrations for 50 seats give exactly 50 confirmations.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lotse.ecosystem.models import Organisation
from lotse.events.domain.mail import send_registration_mail
from lotse.events.models import (
    Event,
    EventStatus,
    Registration,
    RegistrationStatus,
    Session,
    SessionSignup,
)

ACTIVE = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING)


class RegistrationError(Exception):
    """A registration step is not possible; ``str(error)`` is a message for people."""


def _mail_on_commit(registration_id: int, kind: str) -> None:
    transaction.on_commit(lambda: send_registration_mail(registration_id, kind))


def _lock_event(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def confirmed_count(event: Event) -> int:
    return Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).count()


def _has_free_seat(event: Event) -> bool:
    return event.capacity is None or confirmed_count(event) < event.capacity


def _default_organisation(user: Any) -> Organisation | None:
    return Organisation.objects.filter(memberships__person__user=user).order_by("name").first()


@transaction.atomic
def register(event: Event, user: Any, *, organisation: Organisation | None = None) -> Registration:
    """Register ``user``: confirmed, waiting list, or pending the organisers' approval."""
    event = _lock_event(event)
    if event.status != EventStatus.PUBLISHED:
        raise RegistrationError(_("Für diese Veranstaltung ist keine Anmeldung möglich."))
    if event.ends_at <= timezone.now():
        raise RegistrationError(_("Diese Veranstaltung ist bereits vorbei."))
    if not event.registration_open:
        raise RegistrationError(_("Die Anmeldung ist geschlossen."))
    registration = Registration.objects.filter(event=event, user=user).first()
    if registration is not None and registration.status in ACTIVE:
        return registration  # idempotent: a double click changes nothing
    if registration is not None and registration.status == RegistrationStatus.REJECTED:
        raise RegistrationError(_("Ihre Anmeldung wurde vom Organisationsteam abgelehnt."))
    now = timezone.now()
    if event.requires_approval:
        status = RegistrationStatus.PENDING
    elif _has_free_seat(event):
        status = RegistrationStatus.CONFIRMED
    else:
        status = RegistrationStatus.WAITING
    if registration is None:
        registration = Registration(event=event, user=user)
    registration.status = status
    registration.organisation = organisation or _default_organisation(user)
    registration.queued_at = now
    registration.cancelled_at = None
    registration.confirmed_at = now if status == RegistrationStatus.CONFIRMED else None
    registration.save()
    _mail_on_commit(registration.pk, str(status))
    return registration


def _promote_waiting(event: Event) -> list[Registration]:
    """Fill free seats from the waiting list in order (caller holds the event lock)."""
    promoted: list[Registration] = []
    if event.requires_approval:
        return promoted  # the organisers decide who moves up
    while _has_free_seat(event):
        nxt = (
            Registration.objects.filter(event=event, status=RegistrationStatus.WAITING)
            .order_by("queued_at", "pk")
            .first()
        )
        if nxt is None:
            break
        nxt.status = RegistrationStatus.CONFIRMED
        nxt.confirmed_at = timezone.now()
        nxt.save(update_fields=["status", "confirmed_at"])
        _mail_on_commit(nxt.pk, "promoted")
        promoted.append(nxt)
    return promoted


@transaction.atomic
def cancel_registration(registration: Registration) -> list[Registration]:
    """The attendee cancels; a freed seat goes to the next on the waiting list."""
    event = _lock_event(registration.event)
    registration = Registration.objects.get(pk=registration.pk)
    if registration.status not in ACTIVE:
        raise RegistrationError(_("Diese Anmeldung ist nicht aktiv."))
    if event.ends_at <= timezone.now():
        raise RegistrationError(
            _("Die Veranstaltung ist vorbei; eine Abmeldung ist nicht mehr möglich.")
        )
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    SessionSignup.objects.filter(session__event=event, user_id=registration.user_id).delete()
    _mail_on_commit(registration.pk, "cancelled")
    return _promote_waiting(event)


@transaction.atomic
def approve_registration(registration: Registration) -> Registration:
    event = _lock_event(registration.event)
    registration = Registration.objects.get(pk=registration.pk)
    if registration.status not in (RegistrationStatus.PENDING, RegistrationStatus.WAITING):
        raise RegistrationError(_("Nur offene Anmeldungen können bestätigt werden."))
    if not _has_free_seat(event):
        if registration.status == RegistrationStatus.WAITING:
            raise RegistrationError(_("Die Veranstaltung ist ausgebucht."))
        registration.status = RegistrationStatus.WAITING
        registration.save(update_fields=["status"])
        _mail_on_commit(registration.pk, "waiting")
        return registration
    registration.status = RegistrationStatus.CONFIRMED
    registration.confirmed_at = timezone.now()
    registration.save(update_fields=["status", "confirmed_at"])
    _mail_on_commit(registration.pk, "confirmed")
    return registration


@transaction.atomic
def reject_registration(registration: Registration) -> list[Registration]:
    event = _lock_event(registration.event)
    registration = Registration.objects.get(pk=registration.pk)
    if registration.status not in ACTIVE:
        raise RegistrationError(_("Diese Anmeldung ist nicht aktiv."))
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.REJECTED
    registration.save(update_fields=["status"])
    _mail_on_commit(registration.pk, "rejected")
    return _promote_waiting(event) if was_confirmed else []


@transaction.atomic
def set_checked_in(registration: Registration, *, checked_in: bool = True) -> Registration:
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise RegistrationError(_("Nur bestätigte Anmeldungen können einchecken."))
    registration.checked_in_at = timezone.now() if checked_in else None
    if checked_in:
        registration.no_show = False
    registration.save(update_fields=["checked_in_at", "no_show"])
    return registration


@transaction.atomic
def mark_no_shows(event: Event) -> int:
    """After the event: confirmed but never checked in counts as no-show."""
    if event.ends_at > timezone.now():
        raise RegistrationError(
            _("Nicht erschienene Personen lassen sich erst nach dem Ende markieren.")
        )
    return Registration.objects.filter(
        event=event, status=RegistrationStatus.CONFIRMED, checked_in_at__isnull=True
    ).update(no_show=True)


# --- per-session sign-up (limited workshops) ------------------------------------------


@transaction.atomic
def sign_up_for_session(session: Session, user: Any) -> SessionSignup:
    event = _lock_event(session.event)
    session = Session.objects.get(pk=session.pk)
    if session.capacity is None:
        raise RegistrationError(_("Für diesen Programmpunkt ist keine Einzelanmeldung nötig."))
    if session.ends_at <= timezone.now():
        raise RegistrationError(_("Dieser Programmpunkt ist bereits vorbei."))
    if not Registration.objects.filter(
        event=event, user=user, status=RegistrationStatus.CONFIRMED
    ).exists():
        raise RegistrationError(
            _("Bitte melden Sie sich zuerst für die Veranstaltung an (bestätigte Anmeldung).")
        )
    existing = SessionSignup.objects.filter(session=session, user=user).first()
    if existing is not None:
        return existing
    clash = (
        SessionSignup.objects.filter(
            user=user,
            session__event=event,
            session__starts_at__lt=session.ends_at,
            session__ends_at__gt=session.starts_at,
        )
        .select_related("session")
        .first()
    )
    if clash is not None:
        raise RegistrationError(
            _("Zeitüberschneidung: Sie sind zur selben Zeit für „%(title)s“ angemeldet.")
            % {"title": clash.session.title}
        )
    if SessionSignup.objects.filter(session=session).count() >= session.capacity:
        raise RegistrationError(_("Dieser Programmpunkt ist ausgebucht."))
    return SessionSignup.objects.create(session=session, user=user)


@transaction.atomic
def cancel_session_signup(session: Session, user: Any) -> None:
    deleted, _details = SessionSignup.objects.filter(session=session, user=user).delete()
    if not deleted:
        raise RegistrationError(_("Sie sind für diesen Programmpunkt nicht angemeldet."))
