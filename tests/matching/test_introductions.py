"""Introductions: double opt-in, contact details only after acceptance, real SMTP mails,
spam limits, block and report; alliances and their figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from lotse.accounts.models import User
from lotse.ecosystem.models import Person
from lotse.matching import domain, selectors
from lotse.matching.domain import IntroductionError
from lotse.matching.models import AbuseReport, Alliance, IntroductionStatus

from .conftest import Network

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _deliver_on_commit(django_capture_on_commit_callbacks: Any, monkeypatch: Any) -> None:
    """Mails go out on commit; tests run inside a transaction, so run the callbacks of
    each domain call when it returns (as a real commit would)."""
    for name in (
        "send_introduction",
        "accept_introduction",
        "decline_introduction",
        "report_introduction",
    ):
        original = getattr(domain, name)

        def committed(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            with django_capture_on_commit_callbacks(execute=True):
                return _original(*args, **kwargs)

        monkeypatch.setattr(domain, name, committed)


MESSAGE = "Guten Tag, wir suchen Untertitelung für unsere Lokalvideos. Haben Sie Zeit?"


def person(user: User) -> Person:
    return Person.objects.get(user=user)


def send(network: Network, sender: str = "hafen", recipient: str = "kiel", **kw: Any) -> Any:
    return domain.send_introduction(
        sender=network.users[sender],
        recipient=person(network.users[recipient]),
        message=kw.pop("message", MESSAGE),
        **kw,
    )


def test_request_accept_exchanges_contacts_by_mail(network: Network, smtp_mailbox: Any) -> None:
    anna, ben = network.users["hafen"], network.users["kiel"]
    intro = send(network, context="Untertitel für Lokalvideos")
    # The recipient is notified, without the sender's address.
    [mail] = smtp_mailbox.to(ben.email)
    body = smtp_mailbox.body(mail)
    assert "Neue Vorstellungsanfrage von Anna Hafen" in mail["Subject"]
    assert MESSAGE in body
    assert anna.email not in body
    assert "erst weitergegeben, wenn Sie die Anfrage annehmen" in body
    assert any(f"/matching/anfragen/{intro.pk}/" in link for link in smtp_mailbox.links(mail))
    # Before acceptance nobody sees contact details.
    assert selectors.contact_details(anna, intro) is None
    assert selectors.contact_details(ben, intro) is None
    # Only the recipient decides.
    with pytest.raises(IntroductionError):
        domain.accept_introduction(intro, by=anna)
    domain.accept_introduction(intro, by=ben)
    intro.refresh_from_db()
    assert intro.status == IntroductionStatus.ACCEPTED
    details = selectors.contact_details(anna, intro)
    assert details == {
        "sender_name": "Anna Hafen",
        "sender_email": anna.email,
        "recipient_name": "Ben Förde",
        "recipient_email": ben.email,
    }
    assert selectors.contact_details(network.users["cloud"], intro) is None
    # Both receive one mail with both addresses.
    accepted = [m for m in smtp_mailbox.messages if "angenommen" in m["Subject"]]
    assert len(accepted) == 1
    recipients = str(accepted[0]["To"])
    assert anna.email in recipients
    assert ben.email in recipients
    assert anna.email in smtp_mailbox.body(accepted[0])
    assert ben.email in smtp_mailbox.body(accepted[0])


def test_decline_shares_nothing(network: Network, smtp_mailbox: Any) -> None:
    anna, ben = network.users["hafen"], network.users["kiel"]
    intro = send(network)
    domain.decline_introduction(intro, by=ben)
    intro.refresh_from_db()
    assert intro.status == IntroductionStatus.DECLINED
    assert selectors.contact_details(anna, intro) is None
    [mail] = smtp_mailbox.to(anna.email)
    assert "abgelehnt" in smtp_mailbox.body(mail)
    assert ben.email not in smtp_mailbox.body(mail)
    with pytest.raises(IntroductionError, match="nicht \\(mehr\\)"):
        domain.accept_introduction(intro, by=ben)


def test_daily_limit_with_clear_message(network: Network, settings: Any) -> None:
    settings.LOTSE_INTRODUCTIONS_PER_DAY = 2
    send(network, recipient="kiel")
    send(network, recipient="cloud")
    with pytest.raises(IntroductionError) as error:
        send(network, recipient="studio")
    assert "in den letzten 24 Stunden bereits 2 Anfragen" in str(error.value.messages[0])
    # A day later it works again.
    send(network, recipient="studio", now=timezone.now() + dt.timedelta(days=1, minutes=1))


def test_invalid_requests_are_refused(network: Network) -> None:
    with pytest.raises(IntroductionError, match="mindestens"):
        send(network, message="Hallo")
    with pytest.raises(IntroductionError, match="zu lang"):
        send(network, message="x" * 3000)
    with pytest.raises(IntroductionError, match="selbst"):
        send(network, recipient="hafen")
    send(network)
    with pytest.raises(IntroductionError, match="bereits eine offene Anfrage"):
        send(network)
    no_account = Person.objects.create(key="ohne-konto", name="Ohne Konto")
    with pytest.raises(IntroductionError, match="kein Konto"):
        domain.send_introduction(
            sender=network.users["hafen"], recipient=no_account, message=MESSAGE
        )
    assert send(network, recipient="cloud", message="<b>Hallo</b> " + MESSAGE).message.startswith(
        "Hallo"
    )


def test_block_stops_further_requests(network: Network) -> None:
    intro = send(network)
    ben = network.users["kiel"]
    with pytest.raises(IntroductionError):
        domain.block_sender(intro, by=network.users["hafen"])  # only the recipient blocks
    domain.block_sender(intro, by=ben)
    intro.refresh_from_db()
    assert intro.status == IntroductionStatus.DECLINED
    with pytest.raises(IntroductionError, match="keine Anfragen von Ihnen"):
        send(network)
    # Blocked people are not suggested to each other either.
    assert person(ben).key not in [
        m.key
        for m in selectors.match_person(network.users["hafen"], person(network.users["hafen"]))
    ]


def test_report_reaches_the_managers(network: Network, smtp_mailbox: Any, manager: User) -> None:
    intro = send(network)
    with pytest.raises(IntroductionError):
        domain.report_introduction(intro, by=network.users["kiel"], reason="")
    with pytest.raises(IntroductionError):
        domain.report_introduction(intro, by=network.users["cloud"], reason="Spam!")
    with pytest.raises(IntroductionError):
        domain.report_introduction(intro, by=network.users["hafen"], reason="Eigene Anfrage")
    domain.report_introduction(intro, by=network.users["kiel"], reason="Werbung, kein Bezug")
    assert AbuseReport.objects.get().reason == "Werbung, kein Bezug"
    [mail] = smtp_mailbox.to(manager.email)
    assert "Werbung, kein Bezug" in smtp_mailbox.body(mail)


def test_alliance_after_acceptance_and_figures(network: Network) -> None:
    intro = send(network)
    with pytest.raises(IntroductionError, match="angenommenen"):
        domain.mark_alliance(intro, by=network.users["hafen"], description="Pilotprojekt")
    domain.accept_introduction(intro, by=network.users["kiel"])
    with pytest.raises(IntroductionError):
        domain.mark_alliance(intro, by=network.users["cloud"], description="Pilotprojekt")
    alliance = domain.mark_alliance(
        intro, by=network.users["hafen"], description="Pilotprojekt Untertitel", kind="project"
    )
    assert (alliance.kind_a, alliance.kind_b) == ("media_house", "ai_company")
    with pytest.raises(IntroductionError, match="bereits"):
        domain.mark_alliance(intro, by=network.users["kiel"], description="Noch eine")
    second = send(network, sender="studio", recipient="kiel")
    domain.accept_introduction(second, by=network.users["kiel"])
    domain.mark_alliance(
        second, by=network.users["kiel"], description="Gemeinsamer Film", kind="customer"
    )
    figures = selectors.alliance_figures()
    assert figures.total == 2 == Alliance.objects.count()
    labels = [label for _value, label in figures.kinds]
    assert labels == ["Medienhaus/Verlag", "Produktionsstudio", "KI-Unternehmen"]
    matrix = dict(figures.rows)
    assert matrix["Medienhaus/Verlag"] == [0, 0, 1]
    assert matrix["KI-Unternehmen"] == [1, 1, 0]
    assert ("Medienhaus/Verlag", "KI-Unternehmen", 1) in [
        (*tuple(sorted(p[:2])), p[2]) for p in figures.pairs
    ] or ("KI-Unternehmen", "Medienhaus/Verlag", 1) in figures.pairs
    assert dict(figures.by_collaboration) == {
        "gemeinsames Projekt": 1,
        "Auftrag/Kundenbeziehung": 1,
    }
    assert selectors.alliance_figures(kinds=["production_studio"]).total == 1
    assert selectors.alliance_figures(regions=["Bayern"]).total == 0
