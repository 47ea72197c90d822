"""The pages: suggestions, request flow, access, bad input, overview hook."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lotse.ecosystem.models import Person
from lotse.matching import domain, selectors
from lotse.matching.models import (
    IntroductionRequest,
    IntroductionStatus,
    OrganisationExposure,
    PersonSuggestionCount,
)

from .conftest import Network

pytestmark = pytest.mark.django_db

MESSAGE = "Guten Tag, ich würde Sie gern zu Untertiteln für Lokalvideos sprechen."


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def test_need_detail_links_to_suggestions(client: Client, network: Network) -> None:
    page = client.get(network.need.get_absolute_url()).content.decode()
    assert reverse("matching:need_suggestions", args=[network.need.key]) in page
    assert "Passende Angebote für Ihren Bedarf" in page
    page = client.get(network.offer_onprem.get_absolute_url()).content.decode()
    assert reverse("matching:offer_suggestions", args=[network.offer_onprem.key]) in page


def test_need_suggestions_page(client: Client, network: Network) -> None:
    response = client.get(reverse("matching:need_suggestions", args=[network.need.key]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Passende Angebote für Ihren Bedarf" in page
    assert "Untertitelung auf eigenen Servern" in page
    assert "gefordert und erfüllt" in page
    assert "Niemand wird automatisch kontaktiert" in page
    assert page.index("Untertitelung auf eigenen Servern") < page.index("Cloud-Transkription")
    # Anonymous views do not count as exposure; members' views do.
    assert not OrganisationExposure.objects.exists()
    login(client, network.users["hafen"]).get(
        reverse("matching:need_suggestions", args=[network.need.key])
    )
    exposure = OrganisationExposure.objects.get(organisation=network.kiel)
    assert exposure.exposure == 1.0
    assert exposure.impressions == 1
    assert exposure.merit > 0


@pytest.mark.parametrize(
    "query",
    [
        "?kind=zzz&min_score=abc&residency=%27%3B--",
        "?min_score=-5&limit=999999&language=%F0%9F%98%80",
        "?region=" + "x" * 5000,
        "?kind=consulting&min_score=101",
    ],
)
def test_bad_filter_input_never_fails(client: Client, network: Network, query: str) -> None:
    response = client.get(reverse("matching:need_suggestions", args=[network.need.key]) + query)
    assert response.status_code == 200


def test_filters_on_the_page(client: Client, network: Network) -> None:
    url = reverse("matching:need_suggestions", args=[network.need.key])
    page = client.get(url + "?residency=on_premise").content.decode()
    assert "Untertitelung auf eigenen Servern" in page
    assert "Cloud-Transkription" not in page
    # "Mindestpassung in %": 1 means one percent, 90 leaves only the best offer.
    page = client.get(url + "?min_score=1").content.decode()
    assert "Cloud-Transkription" in page
    page = client.get(url + "?min_score=90").content.decode()
    assert "Untertitelung auf eigenen Servern" in page
    assert "Beratung Barrierefreiheit" not in page


def test_offer_suggestions_page(client: Client, network: Network) -> None:
    url = reverse("matching:offer_suggestions", args=[network.offer_onprem.key])
    page = client.get(url + "?kind=solution").content.decode()
    assert "Passende Bedarfe für Ihr Angebot" in page
    assert "Untertitel für Lokalvideos" in page
    page = client.get(url + "?kind=funding").content.decode()
    assert "Untertitel für Lokalvideos" not in page
    assert "Keine passenden Vorschläge gefunden" in page


def test_unpublished_need_is_not_found(client: Client, network: Network) -> None:
    network.need.status = "draft"
    network.need.save()
    url = reverse("matching:need_suggestions", args=[network.need.key])
    assert client.get(url).status_code == 404
    assert client.get(reverse("matching:need_suggestions", args=["nix"])).status_code == 404


def test_person_suggestions_only_for_oneself(client: Client, network: Network) -> None:
    anna = Person.objects.get(user=network.users["hafen"])
    url = reverse("matching:person_suggestions", args=[anna.key])
    assert client.get(url).status_code == 302  # login first
    assert login(client, network.users["kiel"]).get(url).status_code == 403
    response = login(client, network.users["hafen"]).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Passende Kontakte" in page
    assert "Ben Förde" in page
    assert "Bringt mit, was Sie suchen" in page
    # Each view of one's own suggestions counts against the shown people's daily capacity.
    ben = Person.objects.get(user=network.users["kiel"])
    assert PersonSuggestionCount.objects.get(person=ben).count == 1
    # A manager looking at someone's suggestions does not use up capacity.
    from lotse.accounts.models import User

    boss = User.objects.create_user(email="boss@example.org", password="x")
    boss.is_network_manager = True
    boss.save()
    assert login(Client(), boss).get(url).status_code == 200
    assert PersonSuggestionCount.objects.get(person=ben).count == 1
    # My own profile page links to my suggestions.
    profile = client.get(anna.get_absolute_url()).content.decode()
    assert url in profile
    assert client.get(reverse("matching:my_contacts")).url == url


def test_request_flow_through_the_pages(
    client: Client, network: Network, smtp_mailbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ben = Person.objects.get(user=network.users["kiel"])
    sender = login(Client(), network.users["hafen"])
    recipient = login(Client(), network.users["kiel"])
    assert (
        reverse("matching:request_create", args=[ben.key])
        in sender.get(ben.get_absolute_url()).content.decode()
    )
    url = reverse("matching:request_create", args=[ben.key])
    response = sender.post(url, {"message": "kurz"})
    assert response.status_code == 400
    assert not IntroductionRequest.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = sender.post(url, {"message": MESSAGE, "context": "Lokalvideos"})
    assert response.status_code == 302
    intro = IntroductionRequest.objects.get()
    assert smtp_mailbox.to(network.users["kiel"].email)
    inbox = recipient.get(reverse("matching:requests")).content.decode()
    assert "von Anna Hafen" in inbox
    detail = reverse("matching:request_detail", args=[intro.pk])
    page = recipient.get(detail).content.decode()
    assert network.users["hafen"].email not in page
    assert "Kontaktdaten werden erst nach der Annahme angezeigt" in page
    # Strangers see nothing; the sender cannot accept.
    assert login(Client(), network.users["cloud"]).get(detail).status_code == 404
    sender.post(reverse("matching:request_accept", args=[intro.pk]))
    intro.refresh_from_db()
    assert intro.status == IntroductionStatus.PENDING
    assert recipient.get(reverse("matching:request_accept", args=[intro.pk])).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        recipient.post(reverse("matching:request_accept", args=[intro.pk]))
    intro.refresh_from_db()
    assert intro.status == IntroductionStatus.ACCEPTED
    assert network.users["hafen"].email in recipient.get(detail).content.decode()
    assert network.users["kiel"].email in sender.get(detail).content.decode()
    # Alliance.
    alliance_url = reverse("matching:alliance_create", args=[intro.pk])
    assert sender.post(alliance_url, {"description": "", "kind": "project"}).status_code == 400
    response = sender.post(alliance_url, {"description": "Pilot mit 40 Videos", "kind": "project"})
    assert response.status_code == 302
    assert "Pilot mit 40 Videos" in sender.get(detail).content.decode()
    assert selectors.alliance_figures().total == 1


def test_request_to_organisation_goes_to_its_admin(client: Client, network: Network) -> None:
    sender = login(client, network.users["hafen"])
    url = reverse("matching:request_create_for_organisation", args=[network.studio.key])
    assert sender.post(url, {"message": MESSAGE}).status_code == 302
    intro = IntroductionRequest.objects.get()
    assert intro.recipient.user == network.users["studio"]
    assert intro.organisation == network.studio


def test_spam_limit_message_on_the_page(client: Client, network: Network, settings: Any) -> None:
    settings.LOTSE_INTRODUCTIONS_PER_DAY = 1
    sender = login(client, network.users["hafen"])
    for key, expected in (("kiel", 302), ("cloud", 400)):
        person = Person.objects.get(user=network.users[key])
        response = sender.post(
            reverse("matching:request_create", args=[person.key]), {"message": MESSAGE}
        )
        assert response.status_code == expected
    assert "bereits 1 Anfragen gesendet" in response.content.decode()


def test_block_and_report_pages(client: Client, network: Network) -> None:
    intro = domain.send_introduction(
        sender=network.users["hafen"],
        recipient=Person.objects.get(user=network.users["kiel"]),
        message=MESSAGE,
    )
    recipient = login(client, network.users["kiel"])
    report_url = reverse("matching:request_report", args=[intro.pk])
    assert recipient.get(report_url).status_code == 200
    assert recipient.post(report_url, {"reason": "Unpassende Werbung"}).status_code == 302
    recipient.post(reverse("matching:request_block", args=[intro.pk]))
    sender = login(Client(), network.users["hafen"])
    response = sender.post(
        reverse("matching:request_create", args=[intro.recipient.key]), {"message": MESSAGE}
    )
    assert "keine Anfragen von Ihnen" in response.content.decode()


def test_mail_outage_does_not_break_the_request(
    network: Network, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    with django_capture_on_commit_callbacks(execute=True):
        domain.send_introduction(
            sender=network.users["hafen"],
            recipient=Person.objects.get(user=network.users["kiel"]),
            message=MESSAGE,
        )
    assert IntroductionRequest.objects.count() == 1


def test_alliance_snippet_on_the_overview(client: Client, network: Network) -> None:
    page = client.get(reverse("ecosystem:overview")).content.decode()
    assert "Allianzen aus dem Netzwerk" in page


def test_funding_page(client: Client, network: Network) -> None:
    domain.save_funding_profile(
        network.kiel, role="startup", stages=["seed"], amount_sought_eur=500_000
    )
    login(client, network.users["kiel"])
    response = client.get(reverse("matching:funding_suggestions", args=[network.kiel.key]))
    assert response.status_code == 200
    assert "Passende Investoren" in response.content.decode()


def test_funding_profile_form(client: Client, network: Network) -> None:
    url = reverse("matching:funding_profile_edit", args=[network.kiel.key])
    assert login(client, network.users["hafen"]).get(url).status_code == 403
    owner = login(Client(), network.users["kiel"])
    assert owner.get(url).status_code == 200
    bad = owner.post(url, {"role": "startup", "stages": ["seed", "series_a"]})
    assert bad.status_code == 400
    assert "genau eine aktuelle Phase" in bad.content.decode()
    bad = owner.post(url, {"role": "investor", "ticket_min_eur": "9", "ticket_max_eur": "1"})
    assert bad.status_code == 400
    response = owner.post(
        url,
        {
            "role": "startup",
            "stages": ["seed"],
            "amount_sought_eur": "400000",
            "active": "on",
            "regions": " Hamburg , ",
        },
    )
    assert response.status_code == 302
    profile = network.kiel.funding_profile
    assert profile.stages == ["seed"]
    assert profile.amount_sought_eur == 400_000
    assert profile.regions == ["Hamburg"]
