"""Sign-up with e-mail verification, login, password reset: through a real SMTP server."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest
from django.test import Client

from lotse.accounts.models import User
from lotse.ecosystem.models import Person

PASSWORD = "Elbphilharmonie-2024!"


def _path(url: str) -> str:
    return urlparse(url).path


def _sign_up(client: Client, email: str = "neu@example.org") -> Any:
    return client.post(
        "/accounts/signup/",
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


@pytest.mark.django_db
def test_sign_up_verify_by_mail_then_log_in(client: Client, smtp_mailbox: Any) -> None:
    response = _sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"

    user = User.objects.get(email="neu@example.org")
    person = Person.objects.get(user=user)  # the directory profile comes with the account
    assert person.email == "neu@example.org"

    # Until the address is confirmed, logging in leads to the verification page.
    client.logout()
    response = client.post("/accounts/login/", {"login": "neu@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session

    [mail, *_resent] = smtp_mailbox.to("neu@example.org")
    assert "Bitte bestätigen Sie Ihre E-Mail-Adresse" in mail["Subject"]
    assert mail["Subject"].startswith("[Lotse]")
    [link] = [url for url in smtp_mailbox.links(mail) if "/confirm-email/" in url]

    page = client.get(_path(link))
    assert page.status_code == 200
    assert "neu@example.org" in page.content.decode()
    response = client.post(_path(link))
    assert response.status_code == 302
    assert user.emailaddress_set.get().verified

    client.logout()
    response = client.post("/accounts/login/", {"login": "neu@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/konto/").status_code == 200


@pytest.mark.django_db
def test_a_wrong_confirmation_key_is_explained(client: Client) -> None:
    response = client.get("/accounts/confirm-email/gibt-es-nicht/")
    assert response.status_code == 200
    assert "abgelaufen oder ungültig" in response.content.decode()


@pytest.mark.django_db
def test_password_reset_by_mail(client: Client, smtp_mailbox: Any, verified_user: Any) -> None:
    user = verified_user("vergesslich@example.org")
    response = client.post("/accounts/password/reset/", {"email": "VERGESSLICH@example.org"})
    assert response.status_code == 302
    [mail] = smtp_mailbox.to("vergesslich@example.org")
    assert "Passwort zurücksetzen" in mail["Subject"]
    [link] = [url for url in smtp_mailbox.links(mail) if "/password/reset/key/" in url]

    # allauth moves the key into the session and redirects to a key-less URL.
    response = client.get(_path(link), follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else _path(link)
    assert "Neues Passwort festlegen" in response.content.decode()
    new_password = "Speicherstadt-1883?"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/key/done/"

    client.logout()
    refused = client.post("/accounts/login/", {"login": user.email, "password": "s3cret-Passwort!"})
    assert refused.status_code == 200
    assert "nicht korrekt" in refused.content.decode()
    response = client.post("/accounts/login/", {"login": user.email, "password": new_password})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)

    # The link works once only.
    client.logout()
    response = client.get(_path(link), follow=True)
    assert "Link ungültig" in response.content.decode()


@pytest.mark.django_db
def test_password_reset_for_unknown_address_reveals_nothing(
    client: Client, smtp_mailbox: Any
) -> None:
    response = client.post("/accounts/password/reset/", {"email": "niemand@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    [mail] = smtp_mailbox.to("niemand@example.org")
    assert "kein Konto" in smtp_mailbox.body(mail)


@pytest.mark.django_db
def test_too_many_failed_logins_are_refused_with_a_clear_message(
    client: Client, verified_user: Any
) -> None:
    user = verified_user("ziel@example.org")
    for _attempt in range(5):
        response = client.post("/accounts/login/", {"login": user.email, "password": "falsch"})
        assert response.status_code == 200
        assert "nicht korrekt" in response.content.decode()
    # Now even the right password is refused until the window has passed.
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": "s3cret-Passwort!"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in html
    assert 'role="alert"' in html
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_is_open_again_after_the_counter_is_reset(client: Client, verified_user: Any) -> None:
    from django.core.cache import cache

    user = verified_user("ziel@example.org")
    for _attempt in range(6):
        client.post("/accounts/login/", {"login": user.email, "password": "falsch"})
    cache.clear()  # what the passing of the time window does
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": "s3cret-Passwort!"}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_signup_form_is_accessible_and_announces_errors(client: Client) -> None:
    page = client.get("/accounts/signup/").content.decode()
    assert '<label for="id_email">' in page
    assert '<label for="id_password1">' in page
    assert 'lang="de"' in page
    assert 'autocomplete="email"' in page

    response = client.post(
        "/accounts/signup/", {"email": "kein-mail", "password1": "a", "password2": "b"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert 'aria-invalid="true"' in html
    assert 'id="id_email_errors"' in html
    assert 'aria-describedby="id_email_errors"' in html
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/confirm-email/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/accounts/password/reset/key/done/",
    ],
)
def test_account_pages_use_the_site_layout_in_german(client: Client, url: str) -> None:
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-header"' in html  # our base.html, not allauth's bare layout
    assert "<script>" not in html  # strict CSP: no inline scripts
    assert "style=" not in html
    for english in ("Sign In", "Sign Up", "Password Reset", "Forgot"):
        assert english not in html


@pytest.mark.django_db
def test_logout_page_in_german(client: Client, verified_user: Any) -> None:
    client.force_login(verified_user())
    response = client.get("/accounts/logout/")
    assert "Möchten Sie sich wirklich abmelden?" in response.content.decode()
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_duplicate_sign_up_creates_no_second_account(
    client: Client, smtp_mailbox: Any, verified_user: Any
) -> None:
    verified_user("schon-da@example.org")
    response = _sign_up(client, "Schon-Da@example.org")
    assert response.status_code in (200, 302)
    assert User.objects.filter(email__iexact="schon-da@example.org").count() == 1
    assert Person.objects.filter(email__iexact="schon-da@example.org").count() <= 1


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/password/change/", "/accounts/email/"])
def test_other_allauth_pages_use_the_site_layout(
    client: Client, verified_user: Any, url: str
) -> None:
    client.force_login(verified_user())
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-header"' in html
    assert "<script>" not in html
    assert "data-allauth-onload" not in html  # allauth's inline JSON script is dropped
