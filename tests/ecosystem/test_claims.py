"""Claim and verify: users claim organisations, managers decide, the decision is mailed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from lotse.ecosystem.domain.claims import approve_claim, claim_organisation, reject_claim
from lotse.ecosystem.domain.organisations import ensure_person_for_user
from lotse.ecosystem.models import (
    ClaimStatus,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationClaim,
)


@pytest.mark.django_db
def test_one_pending_claim_per_user(make_user: Any, organisation: Organisation) -> None:
    user = make_user()
    claim_organisation(organisation, user=user, message="Ich bin die Geschäftsführerin.")
    with pytest.raises(ValidationError, match="bereits einen offenen Anspruch"):
        claim_organisation(organisation, user=user, message="Nochmal")
    assert OrganisationClaim.objects.count() == 1


@pytest.mark.django_db
def test_admins_need_not_claim(member: Any, organisation: Organisation) -> None:
    with pytest.raises(ValidationError, match="bereits"):
        claim_organisation(organisation, user=member)


@pytest.mark.django_db
def test_overlong_message_is_refused(make_user: Any, organisation: Organisation) -> None:
    with pytest.raises(ValidationError):
        claim_organisation(organisation, user=make_user(), message="x" * 2001)
    assert not OrganisationClaim.objects.exists()


@pytest.mark.django_db
def test_approve_makes_admin_verifies_and_mails(
    smtp_mailbox: Any, make_user: Any, manager: Any, organisation: Organisation
) -> None:
    user = make_user("chefin@example.org")
    ensure_person_for_user(user)
    Membership.objects.create(person=user.person, organisation=organisation)  # plain member
    claim = claim_organisation(organisation, user=user, message="Geschäftsführung")
    approve_claim(claim, decided_by=manager, verify=True)

    claim.refresh_from_db()
    organisation.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert claim.decided_by == manager
    assert organisation.verified
    assert organisation.verified_by == manager
    membership = Membership.objects.get(person=user.person, organisation=organisation)
    assert membership.role == MembershipRole.ADMIN
    [mail] = smtp_mailbox.to("chefin@example.org")
    assert "bestätigt" in mail["Subject"]
    assert organisation.get_absolute_url() in smtp_mailbox.body(mail)

    with pytest.raises(ValidationError, match="bereits entschieden"):
        reject_claim(claim, decided_by=manager)


@pytest.mark.django_db
def test_approve_without_verifying(
    smtp_mailbox: Any, make_user: Any, manager: Any, organisation: Organisation
) -> None:
    claim = claim_organisation(organisation, user=make_user())
    approve_claim(claim, decided_by=manager, verify=False)
    organisation.refresh_from_db()
    assert not organisation.verified


@pytest.mark.django_db
def test_reject_mails_the_reason_and_grants_nothing(
    smtp_mailbox: Any, make_user: Any, manager: Any, organisation: Organisation
) -> None:
    user = make_user("hoffnung@example.org")
    claim = claim_organisation(organisation, user=user)
    reject_claim(claim, decided_by=manager, reason="Keine Verbindung erkennbar.")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED
    assert not Membership.objects.filter(person__user=user).exists()
    [mail] = smtp_mailbox.to("hoffnung@example.org")
    assert "abgelehnt" in mail["Subject"]
    assert "Keine Verbindung erkennbar." in smtp_mailbox.body(mail)
    # After a rejection the user may try again with better evidence.
    claim_organisation(organisation, user=user, message="Hier ist mein Nachweis.")


@pytest.mark.django_db
def test_decision_is_not_saved_when_the_mail_fails(
    settings: Any, make_user: Any, manager: Any, organisation: Organisation
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    claim = claim_organisation(organisation, user=make_user())
    with pytest.raises(ConnectionRefusedError):
        approve_claim(claim, decided_by=manager)
    claim.refresh_from_db()
    organisation.refresh_from_db()
    assert claim.status == ClaimStatus.PENDING
    assert not organisation.verified
    assert not Membership.objects.filter(organisation=organisation).exists()


# --- Pages ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_claim_page_flow(
    smtp_mailbox: Any, make_user: Any, manager: Any, organisation: Organisation
) -> None:
    user = make_user("anspruch@example.org")
    client = Client()
    client.force_login(user)
    detail = client.get(organisation.get_absolute_url()).content.decode()
    claim_url = f"/verzeichnis/organisationen/{organisation.key}/beanspruchen/"
    assert claim_url in detail

    response = client.post(claim_url, {"message": ""})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert not OrganisationClaim.objects.exists()

    response = client.post(claim_url, {"message": "Ich leite die Redaktion."})
    assert response.status_code == 302
    claim = OrganisationClaim.objects.get()
    assert claim.message == "Ich leite die Redaktion."
    assert "offen" in client.get("/konto/").content.decode()
    assert "einen Anspruch gestellt" in client.get(claim_url).content.decode()

    management = Client()
    management.force_login(manager)
    page = management.get("/verzeichnis/verwaltung/").content.decode()
    assert "Ich leite die Redaktion." in page
    assert "anspruch@example.org" in page
    response = management.post(
        f"/verzeichnis/verwaltung/ansprueche/{claim.pk}/entscheiden/",
        {"decision": "approve", "verify": "on", "next": "/verzeichnis/verwaltung/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/verzeichnis/verwaltung/#claims"
    organisation.refresh_from_db()
    assert organisation.verified
    [mail] = smtp_mailbox.to("anspruch@example.org")
    assert "bestätigt" in mail["Subject"]

    # The new admin can now manage the members.
    members = client.get(f"/verzeichnis/organisationen/{organisation.key}/mitglieder/")
    assert members.status_code == 200


@pytest.mark.django_db
def test_claim_decision_needs_a_manager(
    make_user: Any, member: Any, organisation: Organisation
) -> None:
    claim = claim_organisation(organisation, user=make_user())
    client = Client()
    client.force_login(member)
    response = client.post(
        f"/verzeichnis/verwaltung/ansprueche/{claim.pk}/entscheiden/", {"decision": "approve"}
    )
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PENDING


@pytest.mark.django_db
def test_reject_via_page_with_reason(
    smtp_mailbox: Any, make_user: Any, manager: Any, organisation: Organisation
) -> None:
    claim = claim_organisation(organisation, user=make_user("r@example.org"))
    client = Client()
    client.force_login(manager)
    response = client.post(
        f"/verzeichnis/verwaltung/ansprueche/{claim.pk}/entscheiden/",
        {"decision": "reject", "reason": "Bitte mit Firmenadresse."},
        follow=True,
    )
    assert "abgelehnt" in response.content.decode()
    assert "Bitte mit Firmenadresse." in smtp_mailbox.body(smtp_mailbox.to("r@example.org")[0])
    # Deciding twice: a message, no second mail.
    response = client.post(
        f"/verzeichnis/verwaltung/ansprueche/{claim.pk}/entscheiden/",
        {"decision": "approve"},
        follow=True,
    )
    assert "bereits entschieden" in response.content.decode()
    assert len(smtp_mailbox.to("r@example.org")) == 1


@pytest.mark.django_db
def test_garbage_decision_is_a_message_not_a_500(
    make_user: Any, manager: Any, organisation: Organisation
) -> None:
    claim = claim_organisation(organisation, user=make_user())
    client = Client()
    client.force_login(manager)
    response = client.post(
        f"/verzeichnis/verwaltung/ansprueche/{claim.pk}/entscheiden/",
        {"decision": "<script>", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/verzeichnis/verwaltung/")  # no open redirect
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PENDING
