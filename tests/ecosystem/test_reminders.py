"""Stale profiles: reminders by real SMTP, the badge on the profile, the managers' filter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lotse.accounts.models import User
from lotse.ecosystem.domain.organisations import (
    confirm_organisation,
    create_organisation,
    ensure_person_for_user,
)
from lotse.ecosystem.domain.reminders import (
    organisations_to_remind,
    send_stale_reminders,
)
from lotse.ecosystem.models import Membership, MembershipRole, Organisation
from lotse.ecosystem.tasks import remind_stale_profiles


@pytest.fixture
def stale_after(settings: Any) -> int:
    settings.LOTSE_STALE_AFTER_DAYS = 365
    settings.SITE_URL = "https://lotse.example"
    return 365


def _age(organisation: Organisation, days: int, *, reminded_days_ago: int | None = None) -> None:
    reminded = (
        None if reminded_days_ago is None
        else timezone.now() - dt.timedelta(days=reminded_days_ago)
    )
    Organisation.objects.filter(pk=organisation.pk).update(
        last_confirmed=timezone.localdate() - dt.timedelta(days=days),
        stale_reminder_sent_at=reminded,
    )
    organisation.refresh_from_db()


def _admin(make_user: Callable[..., User], organisation: Organisation, email: str,
           role: str = MembershipRole.ADMIN, **extra: Any) -> User:
    user = make_user(email, **extra)
    Membership.objects.create(
        person=ensure_person_for_user(user), organisation=organisation, role=role
    )
    return user


@pytest.fixture
def orgs(db: None, make_user: Callable[..., User], stale_after: int) -> dict[str, Organisation]:
    stale = create_organisation(name="Verstaubt GmbH", kind="agency")
    fresh = create_organisation(name="Frisch AG", kind="startup")
    recently_reminded = create_organisation(name="Schon Erinnert e.V.", kind="network")
    long_ago_reminded = create_organisation(name="Lange & Her KG", kind="media_house")
    orphan = create_organisation(name="Ohne Verwaltung", kind="agency")
    _age(stale, 400)
    _age(fresh, 30)
    _age(recently_reminded, 500, reminded_days_ago=10)
    _age(long_ago_reminded, 500, reminded_days_ago=45)
    _age(orphan, 700)
    _admin(make_user, stale, "chefin@verstaubt.example")
    _admin(make_user, stale, "vize@verstaubt.example")
    _admin(make_user, stale, "praktikant@verstaubt.example", role=MembershipRole.MEMBER)
    _admin(make_user, stale, "ehemalig@verstaubt.example", is_active=False)
    _admin(make_user, fresh, "team@frisch.example")
    _admin(make_user, recently_reminded, "info@erinnert.example")
    _admin(make_user, long_ago_reminded, "redaktion@langeher.example")
    return {"stale": stale, "fresh": fresh, "recently_reminded": recently_reminded,
            "long_ago_reminded": long_ago_reminded, "orphan": orphan}


def test_due_organisations(orgs: dict[str, Organisation]) -> None:
    due = set(organisations_to_remind().values_list("name", flat=True))
    assert due == {"Verstaubt GmbH", "Lange & Her KG", "Ohne Verwaltung"}


def test_reminders_go_to_active_profile_admins_by_smtp(
    orgs: dict[str, Organisation], smtp_mailbox: Any
) -> None:
    report = send_stale_reminders()
    assert report.sent == 2
    assert report.failed == 0
    assert report.without_recipient == [orgs["orphan"].key]
    recipients = sorted(str(m["To"]) for m in smtp_mailbox.messages)
    assert recipients == [
        "chefin@verstaubt.example", "redaktion@langeher.example", "vize@verstaubt.example",
    ]
    message = smtp_mailbox.to("chefin@verstaubt.example")[0]
    assert str(message["Subject"]).strip() == "Sind die Angaben zu „Verstaubt GmbH“ noch aktuell?"
    body = smtp_mailbox.body(message)
    assert "Guten Tag," in body
    assert "Angaben sind aktuell" in body
    # Plain text, not HTML: the ampersand of a name stays as typed.
    other = smtp_mailbox.to("redaktion@langeher.example")[0]
    assert str(other["Subject"]).strip() == "Sind die Angaben zu „Lange & Her KG“ noch aktuell?"
    assert "„Lange & Her KG“" in smtp_mailbox.body(other)
    key = orgs["stale"].key
    assert smtp_mailbox.links(message) == [
        f"https://lotse.example/verzeichnis/organisationen/{key}/#bestaetigen",
        f"https://lotse.example/verzeichnis/organisationen/{key}/bearbeiten/",
    ]
    for name in ("stale", "long_ago_reminded"):
        orgs[name].refresh_from_db()
        assert orgs[name].stale_reminder_sent_at is not None
    orgs["orphan"].refresh_from_db()
    assert orgs["orphan"].stale_reminder_sent_at is None

    # A second run within 30 days sends nothing new.
    again = send_stale_reminders()
    assert again.sent == 0
    assert len(smtp_mailbox.messages) == 3


def test_reminded_again_after_thirty_days(
    orgs: dict[str, Organisation], smtp_mailbox: Any
) -> None:
    send_stale_reminders()
    later = timezone.now() + dt.timedelta(days=31)
    report = send_stale_reminders(now=later)
    assert {r.organisation_key for r in report.reminders if r.sent} == {
        orgs["stale"].key, orgs["long_ago_reminded"].key, orgs["recently_reminded"].key
    }


def test_dry_run_sends_and_changes_nothing(
    orgs: dict[str, Organisation], smtp_mailbox: Any
) -> None:
    report = send_stale_reminders(dry_run=True)
    assert len(report.reminders) == 2
    assert report.sent == 0
    assert smtp_mailbox.messages == []
    assert not Organisation.objects.filter(
        pk__in=[orgs["stale"].pk, orgs["long_ago_reminded"].pk],
        stale_reminder_sent_at__gt=timezone.now() - dt.timedelta(days=1),
    ).exists()


def test_unreachable_mail_server_leaves_organisations_due(
    orgs: dict[str, Organisation], settings: Any
) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.EMAIL_USE_TLS = False
    report = send_stale_reminders()
    assert report.sent == 0
    assert report.failed == 2
    assert organisations_to_remind().count() == 3


def test_confirming_clears_the_reminder(
    orgs: dict[str, Organisation], smtp_mailbox: Any
) -> None:
    send_stale_reminders()
    confirm_organisation(orgs["stale"])
    orgs["stale"].refresh_from_db()
    assert orgs["stale"].stale_reminder_sent_at is None
    assert not orgs["stale"].is_stale()
    assert orgs["stale"] not in organisations_to_remind()


def test_command_and_cli_alias(orgs: dict[str, Organisation], smtp_mailbox: Any) -> None:
    out = StringIO()
    call_command("remind_stale", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "[Probelauf]" in text
    assert f"{orgs['stale'].key}: würde erinnert" in text
    assert "ohne Empfänger" in text
    assert smtp_mailbox.messages == []

    out = StringIO()
    call_command("remind_stale", "--limit", "1", stdout=out)
    assert "1 erinnert" in out.getvalue()
    # The longest-unconfirmed organisation that has an admin at all (500 days; the
    # orphan at 700 days has none and does not use up the limit).
    assert [str(m["To"]) for m in smtp_mailbox.messages] == ["redaktion@langeher.example"]

    from lotse.cli import ALIASES, COMMANDS

    assert ALIASES["remind-stale"] == "remind_stale"
    assert "remind-stale" in COMMANDS


def test_task_runs_the_reminders(orgs: dict[str, Organisation], smtp_mailbox: Any) -> None:
    result = remind_stale_profiles.enqueue()  # the "immediate" backend in tests
    assert result.return_value == {"due": 2, "sent": 2, "failed": 0, "without_recipient": 1}
    assert len(smtp_mailbox.messages) == 3


# --- The "marked" part and the managers' filter --------------------------------------------


def test_stale_profile_shows_a_badge(orgs: dict[str, Organisation], client: Client) -> None:
    badge = "Angaben länger nicht bestätigt"
    stale_page = client.get(orgs["stale"].get_absolute_url()).content.decode()
    fresh_page = client.get(orgs["fresh"].get_absolute_url()).content.decode()
    assert badge in stale_page
    assert badge not in fresh_page


def test_managers_filter_stale_profiles(
    orgs: dict[str, Organisation], client: Client, manager: User, member: User
) -> None:
    url = reverse("ecosystem:organisation_list")

    def names(response: Any) -> set[str]:
        return {o.name for o in response.context["page"].object_list}

    client.force_login(manager)
    response = client.get(url, {"stale": "1"})
    assert names(response) == {
        "Verstaubt GmbH", "Schon Erinnert e.V.", "Lange & Her KG", "Ohne Verwaltung"
    }
    assert 'id="f-stale"' in response.content.decode()
    # Members and anonymous visitors get no such filter: the parameter is ignored.
    client.force_login(member)
    response = client.get(url, {"stale": "1"})
    assert "Frisch AG" in names(response)
    assert 'id="f-stale"' not in response.content.decode()
    client.logout()
    assert "Frisch AG" in names(client.get(url, {"stale": "1"}))
