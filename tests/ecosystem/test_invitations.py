"""Invitations and member management, domain and pages; mails through a real SMTP server."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from lotse.ecosystem.domain.invitations import accept_invitation, invite_colleague
from lotse.ecosystem.domain.members import change_member_role, remove_member
from lotse.ecosystem.domain.organisations import ensure_person_for_user
from lotse.ecosystem.models import Invitation, Membership, MembershipRole, Organisation

PASSWORD = "Elbphilharmonie-2024!"


def _members_url(organisation: Organisation) -> str:
    return f"/verzeichnis/organisationen/{organisation.key}/mitglieder/"


# --- Domain ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_invite_sends_a_mail_with_a_unique_link(
    smtp_mailbox: Any, member: Any, organisation: Organisation
) -> None:
    invitation = invite_colleague(
        organisation, email="kollegin@example.org", invited_by=member, base_url="http://lotse.test/"
    )
    assert len(invitation.token) >= 40
    [mail] = smtp_mailbox.to("kollegin@example.org")
    assert organisation.name in mail["Subject"]
    assert f"http://lotse.test/verzeichnis/einladung/{invitation.token}/" in smtp_mailbox.links(
        mail
    )
    assert "mit genau dieser E-Mail-Adresse" in smtp_mailbox.body(mail)


@pytest.mark.django_db
def test_inviting_again_renews_instead_of_duplicating(
    smtp_mailbox: Any, member: Any, organisation: Organisation
) -> None:
    first = invite_colleague(organisation, email="k@example.org", invited_by=member)
    second = invite_colleague(
        organisation, email="K@EXAMPLE.org", invited_by=member, role=MembershipRole.ADMIN
    )
    assert first.pk == second.pk
    assert first.token != second.token
    assert Invitation.objects.count() == 1
    assert Invitation.objects.get().role == MembershipRole.ADMIN
    assert len(smtp_mailbox.to("k@example.org")) == 2


@pytest.mark.django_db
def test_invitations_per_day_are_limited(
    smtp_mailbox: Any, member: Any, manager: Any, organisation: Organisation, settings: Any
) -> None:
    settings.LOTSE_INVITATIONS_PER_DAY = 3
    for n in range(3):
        invite_colleague(organisation, email=f"k{n}@example.org", invited_by=member)
    with pytest.raises(ValidationError, match="bereits 3 Einladungen"):
        invite_colleague(organisation, email="k9@example.org", invited_by=member)
    assert not Invitation.objects.filter(email="k9@example.org").exists()
    assert len(smtp_mailbox.messages) == 3
    # a day later the account may invite again; managers are never limited
    Invitation.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    invite_colleague(organisation, email="k9@example.org", invited_by=member)
    for n in range(5):
        invite_colleague(organisation, email=f"m{n}@example.org", invited_by=manager)
    assert len(smtp_mailbox.messages) == 9


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["", "keine-adresse", "a@b@c"])
def test_invalid_address_is_refused(member: Any, organisation: Organisation, email: str) -> None:
    with pytest.raises(ValidationError):
        invite_colleague(organisation, email=email, invited_by=member)
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_existing_member_is_not_invited(member: Any, organisation: Organisation) -> None:
    with pytest.raises(ValidationError, match="bereits Mitglied"):
        invite_colleague(organisation, email="MEMBER@example.org", invited_by=member)


@pytest.mark.django_db
def test_failed_mail_saves_nothing(settings: Any, member: Any, organisation: Organisation) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with pytest.raises(ConnectionRefusedError):
        invite_colleague(organisation, email="k@example.org", invited_by=member)
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_accept_needs_the_verified_invited_address(
    smtp_mailbox: Any, member: Any, organisation: Organisation, verified_user: Any, make_user: Any
) -> None:
    invitation = invite_colleague(organisation, email="k@example.org", invited_by=member)
    stranger = verified_user("fremd@example.org")
    with pytest.raises(ValidationError, match=r"k@example\.org"):
        accept_invitation(invitation.token, user=stranger)
    unverified = make_user("k@example.org")  # no verified EmailAddress
    with pytest.raises(ValidationError):
        accept_invitation(invitation.token, user=unverified)
    assert Membership.objects.filter(organisation=organisation).count() == 1


@pytest.mark.django_db
def test_accept_creates_membership_once(
    smtp_mailbox: Any, member: Any, organisation: Organisation, verified_user: Any
) -> None:
    invitation = invite_colleague(
        organisation, email="k@example.org", invited_by=member, role=MembershipRole.ADMIN
    )
    user = verified_user("K@example.org")
    membership = accept_invitation(invitation.token, user=user)
    assert membership.role == MembershipRole.ADMIN
    assert membership.person.user == user
    with pytest.raises(ValidationError, match="bereits angenommen"):
        accept_invitation(invitation.token, user=user)


@pytest.mark.django_db
def test_expired_invitation_is_refused(
    smtp_mailbox: Any, member: Any, organisation: Organisation, verified_user: Any
) -> None:
    invitation = invite_colleague(organisation, email="k@example.org", invited_by=member)
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - dt.timedelta(days=15)
    )
    with pytest.raises(ValidationError, match="abgelaufen"):
        accept_invitation(invitation.token, user=verified_user("k@example.org"))


@pytest.mark.django_db
def test_accepting_never_downgrades(
    smtp_mailbox: Any, member: Any, organisation: Organisation, verified_user: Any
) -> None:
    user = verified_user("k@example.org")
    Membership.objects.create(
        person=ensure_person_for_user(user), organisation=organisation, role=MembershipRole.ADMIN
    )
    invitation = Invitation.objects.create(
        organisation=organisation, email="k@example.org", token="t" * 43, invited_by=member
    )
    assert accept_invitation(invitation.token, user=user).role == MembershipRole.ADMIN


@pytest.mark.django_db
def test_last_admin_stays(member: Any, organisation: Organisation, make_user: Any) -> None:
    admin = Membership.objects.get(organisation=organisation)
    with pytest.raises(ValidationError, match="mindestens eine Person"):
        change_member_role(admin, role=MembershipRole.MEMBER)
    with pytest.raises(ValidationError, match="mindestens eine Person"):
        remove_member(admin)
    second = Membership.objects.create(
        person=ensure_person_for_user(make_user()),
        organisation=organisation,
        role=MembershipRole.ADMIN,
    )
    change_member_role(admin, role=MembershipRole.MEMBER)
    with pytest.raises(ValidationError):
        remove_member(second)
    remove_member(Membership.objects.get(pk=admin.pk))
    assert list(Membership.objects.filter(organisation=organisation)) == [second]


# --- Pages: the whole flow with real mail ---------------------------------------------


@pytest.mark.django_db
def test_invite_sign_up_verify_and_accept(
    smtp_mailbox: Any, member: Any, organisation: Organisation
) -> None:
    admin = Client()
    admin.force_login(member)
    response = admin.post(
        _members_url(organisation), {"email": "neu@example.org", "role": "member"}
    )
    assert response.status_code == 302
    [invitation_mail] = smtp_mailbox.to("neu@example.org")
    [accept_link] = [u for u in smtp_mailbox.links(invitation_mail) if "/einladung/" in u]
    accept_path = urlparse(accept_link).path

    # The invited colleague has no account yet: the link leads to the login page ...
    colleague = Client()
    response = colleague.get(accept_path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    # ... they sign up with the invited address and confirm it from the mail ...
    colleague.post(
        "/accounts/signup/",
        {"email": "neu@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    confirm = next(
        u
        for m in smtp_mailbox.to("neu@example.org")
        for u in smtp_mailbox.links(m)
        if "/confirm-email/" in u
    )
    response = colleague.post(urlparse(confirm).path)
    assert response.status_code == 302
    # ... after logging in they land on their dashboard, which lists the invitation.
    dashboard = colleague.get("/konto/").content.decode()
    assert organisation.name in dashboard
    assert accept_path in dashboard
    page = colleague.get(accept_path)
    assert page.status_code == 200
    assert "Einladung annehmen" in page.content.decode()
    response = colleague.post(accept_path)
    assert response.status_code == 302
    assert response["Location"] == organisation.get_absolute_url()
    membership = Membership.objects.get(
        organisation=organisation, person__user__email="neu@example.org"
    )
    assert membership.role == MembershipRole.MEMBER
    # Used links stay used.
    again = colleague.post(accept_path)
    assert again.status_code == 400
    assert "bereits angenommen" in again.content.decode()


@pytest.mark.django_db
def test_login_redirects_to_dashboard_when_invitations_wait(
    smtp_mailbox: Any, member: Any, organisation: Organisation, verified_user: Any
) -> None:
    from django.core.cache import cache

    cache.clear()
    verified_user("k@example.org")
    invite_colleague(organisation, email="k@example.org", invited_by=member)
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "k@example.org", "password": "s3cret-Passwort!"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/konto/"


@pytest.mark.django_db
def test_wrong_account_sees_a_clear_message(
    smtp_mailbox: Any, member: Any, organisation: Organisation, verified_user: Any
) -> None:
    invitation = invite_colleague(organisation, email="k@example.org", invited_by=member)
    client = Client()
    client.force_login(verified_user("jemand@example.org"))
    response = client.post(f"/verzeichnis/einladung/{invitation.token}/")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Diese Einladung gilt für k@example.org" in html
    assert 'role="alert"' in html
    assert not Membership.objects.filter(person__user__email="jemand@example.org").exists()


@pytest.mark.django_db
def test_unknown_token_is_404(verified_user: Any) -> None:
    client = Client()
    client.force_login(verified_user())
    response = client.get("/verzeichnis/einladung/gibt-es-nicht/")
    assert response.status_code == 404
    assert "gibt es nicht" in response.content.decode()


@pytest.mark.django_db
def test_invite_form_errors_are_shown(member: Any, organisation: Organisation) -> None:
    client = Client()
    client.force_login(member)
    response = client.post(_members_url(organisation), {"email": "kaputt", "role": "member"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert "gültige E-Mail-Adresse" in html
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_daily_limit_on_the_page_is_explained(
    smtp_mailbox: Any, settings: Any, member: Any, organisation: Organisation
) -> None:
    settings.LOTSE_INVITATIONS_PER_DAY = 1
    client = Client()
    client.force_login(member)
    first = client.post(_members_url(organisation), {"email": "a@example.org", "role": "member"})
    assert first.status_code == 302
    response = client.post(_members_url(organisation), {"email": "b@example.org", "role": "member"})
    assert response.status_code == 400
    assert "bereits 1 Einladung verschickt" in response.content.decode()
    assert list(Invitation.objects.values_list("email", flat=True)) == ["a@example.org"]


@pytest.mark.django_db
def test_mail_failure_on_the_page_is_explained(
    settings: Any, member: Any, organisation: Organisation
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    client = Client()
    client.force_login(member)
    response = client.post(_members_url(organisation), {"email": "k@example.org", "role": "member"})
    assert response.status_code == 400
    assert "nicht per E-Mail versendet" in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_admin_changes_role_removes_member_and_revokes(
    smtp_mailbox: Any, member: Any, organisation: Organisation, make_user: Any
) -> None:
    colleague = Membership.objects.create(
        person=ensure_person_for_user(make_user("c@example.org")), organisation=organisation
    )
    client = Client()
    client.force_login(member)
    page = client.get(_members_url(organisation)).content.decode()
    assert colleague.person.name in page
    response = client.post(f"{_members_url(organisation)}{colleague.pk}/rolle/", {"role": "admin"})
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.role == MembershipRole.ADMIN

    response = client.post(f"{_members_url(organisation)}{colleague.pk}/rolle/", {"role": "boss"})
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.role == MembershipRole.ADMIN

    client.post(f"{_members_url(organisation)}{colleague.pk}/entfernen/")
    assert not Membership.objects.filter(pk=colleague.pk).exists()

    invitation = invite_colleague(organisation, email="x@example.org", invited_by=member)
    client.post(
        f"/verzeichnis/organisationen/{organisation.key}/einladungen/{invitation.pk}/zurueckziehen/"
    )
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_removing_the_last_admin_is_refused_with_a_message(
    member: Any, organisation: Organisation
) -> None:
    membership = Membership.objects.get(organisation=organisation)
    client = Client()
    client.force_login(member)
    response = client.post(f"{_members_url(organisation)}{membership.pk}/entfernen/", follow=True)
    assert "mindestens eine Person mit Profilverwaltung" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
def test_admin_cannot_touch_members_of_another_organisation(
    member: Any, other_member: Any, other_organisation: Organisation, organisation: Organisation
) -> None:
    foreign = Membership.objects.get(organisation=other_organisation)
    client = Client()
    client.force_login(member)
    # Through one's own organisation's URL: not found.
    response = client.post(f"{_members_url(organisation)}{foreign.pk}/entfernen/")
    assert response.status_code == 404
    # Through the other organisation's URL: forbidden.
    response = client.post(f"{_members_url(other_organisation)}{foreign.pk}/entfernen/")
    assert response.status_code == 403
    assert Membership.objects.filter(pk=foreign.pk).exists()
