"""Accounts: users log in with their e-mail address."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class LotseUserManager(UserManager["User"]):
    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("username", email)
        return super().create_user(email=email, password=password, **extra)

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("username", email)
        return super().create_superuser(email=email, password=password, **extra)


class User(AbstractUser):
    """A person who can log in.  Network managers have ``is_network_manager``."""

    email = models.EmailField(_("E-Mail-Adresse"), unique=True)
    is_network_manager = models.BooleanField(
        _("Netzwerk-Management"),
        default=False,
        help_text=_("Darf Organisationen verifizieren, die Taxonomie pflegen und importieren."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = LotseUserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("Konto")
        verbose_name_plural = _("Konten")

    def __str__(self) -> str:
        return self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.username:
            self.username = self.email
        super().save(*args, **kwargs)

    @property
    def is_manager(self) -> bool:
        return bool(self.is_active and (self.is_network_manager or self.is_superuser))
