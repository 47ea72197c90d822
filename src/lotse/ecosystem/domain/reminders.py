"""Stale profiles: remind the people who keep an organisation's profile current.

An organisation is *stale* when ``last_confirmed`` is older than
``settings.LOTSE_STALE_AFTER_DAYS``.  :func:`send_stale_reminders` mails its profile
admins (memberships with role "admin" whose person has an active account) a
link to the profile, where one click on "Angaben sind aktuell" confirms it.
Each organisation is reminded at most once per ``REMIND_EVERY_DAYS``
(``stale_reminder_sent_at``); confirming or editing the profile clears that
date.  Run by ``lotse remind-stale`` (cron/systemd timer) or the task
``lotse.ecosystem.tasks.remind_stale_profiles``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from lotse.ecosystem.models import Membership, MembershipRole, Organisation

logger = logging.getLogger(__name__)

REMIND_EVERY_DAYS = 30
BATCH_SIZE = 200


@dataclass
class Reminder:
    organisation_key: str
    organisation_name: str
    recipients: list[str]
    sent: bool = False
    error: str = ""


@dataclass
class ReminderReport:
    dry_run: bool
    reminders: list[Reminder] = field(default_factory=list)
    without_recipient: list[str] = field(default_factory=list)  # organisation keys

    @property
    def sent(self) -> int:
        return sum(1 for reminder in self.reminders if reminder.sent)

    @property
    def failed(self) -> int:
        return sum(1 for reminder in self.reminders if reminder.error)


def organisations_to_remind(now: dt.datetime | None = None) -> QuerySet[Organisation]:
    """Stale organisations not reminded within the last ``REMIND_EVERY_DAYS`` days."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    cutoff = today - dt.timedelta(days=settings.LOTSE_STALE_AFTER_DAYS)
    reminded_before = now - dt.timedelta(days=REMIND_EVERY_DAYS)
    return Organisation.objects.filter(last_confirmed__lt=cutoff).filter(
        Q(stale_reminder_sent_at__isnull=True) | Q(stale_reminder_sent_at__lt=reminded_before)
    ).order_by("last_confirmed", "pk")


def profile_admin_emails(organisation_ids: list[int]) -> dict[int, list[str]]:
    """Organisation id → the distinct e-mail addresses of its active profile admins."""
    rows = (
        Membership.objects.filter(
            organisation_id__in=organisation_ids,
            role=MembershipRole.ADMIN,
            person__user__isnull=False,
            person__user__is_active=True,
        )
        .order_by("organisation_id", "person__user__email")
        .values_list("organisation_id", "person__user__email")
    )
    result: dict[int, list[str]] = {}
    for organisation_id, email in rows:
        if email and email not in result.setdefault(organisation_id, []):
            result[organisation_id].append(email)
    return result


def _message(organisation: Organisation, recipient: str, base_url: str) -> EmailMessage:
    context = {
        "organisation": organisation,
        "profile_url": base_url + reverse(
            "ecosystem:organisation_detail", kwargs={"key": organisation.key}
        ) + "#bestaetigen",
        "edit_url": base_url + reverse(
            "ecosystem:organisation_edit", kwargs={"key": organisation.key}
        ),
        "stale_after_days": settings.LOTSE_STALE_AFTER_DAYS,
        "network_name": settings.LOTSE_NETWORK_NAME,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("ecosystem/email/stale_reminder_subject.txt", context)
        body = render_to_string("ecosystem/email/stale_reminder_body.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body, to=[recipient])


def send_stale_reminders(
    *,
    dry_run: bool = False,
    limit: int | None = None,
    now: dt.datetime | None = None,
    base_url: str | None = None,
) -> ReminderReport:
    """Mail the profile admins of every stale organisation that is due for a reminder.

    ``limit`` caps the organisations that get a mail (those without a recipient
    don't count).  With ``dry_run`` nothing is sent and nothing is written; the report says what
    would happen.  An organisation counts as reminded only when all its mails went
    out; a failing mail server leaves it due for the next run.
    """
    now = now or timezone.now()
    base_url = (base_url if base_url is not None else settings.SITE_URL).rstrip("/")
    report = ReminderReport(dry_run=dry_run)
    organisations = list(organisations_to_remind(now).only("pk", "key", "name", "last_confirmed"))
    connection = None if dry_run else get_connection()
    for start in range(0, len(organisations), BATCH_SIZE):
        batch = organisations[start : start + BATCH_SIZE]
        recipients = profile_admin_emails([o.pk for o in batch])
        for organisation in batch:
            if limit is not None and len(report.reminders) >= limit:
                break
            addresses = recipients.get(organisation.pk, [])
            if not addresses:
                report.without_recipient.append(organisation.key)
                continue
            reminder = Reminder(organisation.key, organisation.name, addresses)
            report.reminders.append(reminder)
            if dry_run:
                continue
            try:
                messages = [_message(organisation, address, base_url) for address in addresses]
                assert connection is not None
                connection.send_messages(messages)
            except Exception as error:  # a mail server problem must not stop the whole run
                logger.warning("Erinnerung an %s nicht gesendet: %s", organisation.key, error)
                reminder.error = str(error) or error.__class__.__name__
                continue
            _mark_reminded(organisation, now)
            reminder.sent = True
    if connection is not None:
        connection.close()
    return report


@transaction.atomic
def _mark_reminded(organisation: Organisation, now: dt.datetime) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(stale_reminder_sent_at=now)
