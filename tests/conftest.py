"""Shared fixtures: users of each role, organisations, terms."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from lotse.accounts.models import User
from lotse.ecosystem.domain.organisations import create_organisation, ensure_person_for_user
from lotse.ecosystem.models import Membership, MembershipRole, Organisation, Term


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the default language (German).  A request in English
    leaves English active in the thread (LocaleMiddleware activates, nothing
    deactivates), which would leak into the next test's messages."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _taxonomy_after_flush(request: pytest.FixtureRequest) -> None:
    """Transactional tests flush the database, migration data included: restore the
    shipped vocabularies so every test starts with them, in any order."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("live_server", "transactional_db")
    )
    if transactional:
        request.getfixturevalue("_django_db_helper")
        from lotse.ecosystem.domain.taxonomy import ensure_taxonomy

        ensure_taxonomy()


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    counter = {"n": 0}

    def make(email: str | None = None, *, manager: bool = False, **extra: Any) -> User:
        counter["n"] += 1
        email = email or f"user{counter['n']}@example.org"
        user = User.objects.create_user(email=email, password="s3cret-Passwort!", **extra)
        if manager:
            user.is_network_manager = True
            user.is_staff = True
            user.save()
        return user

    return make


@pytest.fixture
def manager(make_user: Callable[..., User]) -> User:
    return make_user("manager@example.org", manager=True)


@pytest.fixture
def organisation(db: None) -> Organisation:
    return create_organisation(name="Hafenmedien GmbH", kind="media_house", city="Hamburg")


@pytest.fixture
def other_organisation(db: None) -> Organisation:
    return create_organisation(name="Isar Studio", kind="production_studio", city="München")


@pytest.fixture
def member(make_user: Callable[..., User], organisation: Organisation) -> User:
    """An account that administers ``organisation``'s profile."""
    user = make_user("member@example.org")
    person = ensure_person_for_user(user)
    Membership.objects.create(person=person, organisation=organisation, role=MembershipRole.ADMIN)
    return user


@pytest.fixture
def other_member(make_user: Callable[..., User], other_organisation: Organisation) -> User:
    user = make_user("other@example.org")
    person = ensure_person_for_user(user)
    Membership.objects.create(
        person=person, organisation=other_organisation, role=MembershipRole.ADMIN
    )
    return user


@pytest.fixture
def term(db: None) -> Callable[[str], Term]:
    def get(slug: str) -> Term:
        return Term.objects.get(slug=slug)

    return get


# --- A real SMTP server for mail tests (aiosmtpd) ------------------------------------


class Mailbox:
    """What the local SMTP server received, parsed."""

    def __init__(self) -> None:
        import threading

        self.messages: list[Any] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import email
        from email import policy

        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Any]:
        """The messages once at least ``count`` arrived (or ``timeout`` passed)."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
            return list(self.messages)

    def to(self, address: str) -> list[Any]:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    @staticmethod
    def body(message: Any) -> str:
        part = message.get_body(preferencelist=("plain", "html"))
        return str(part.get_content())

    def links(self, message: Any) -> list[str]:
        import re

        return re.findall(r"https?://[^\s<>\"]+", self.body(message))


@pytest.fixture
def smtp_mailbox(settings: Any) -> Any:
    """Start aiosmtpd on a free localhost port; Django sends through real SMTP to it."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def verified_user(make_user: Callable[..., User]) -> Callable[..., User]:
    """An account whose e-mail address allauth knows as verified (as after sign-up)."""
    from allauth.account.models import EmailAddress

    def make(email: str | None = None, **extra: Any) -> User:
        user = make_user(email, **extra)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        return user

    return make
