"""Lotse's hooks into django-allauth.

* Every new account gets its directory profile (a :class:`~lotse.ecosystem.models.Person`)
  in the same transaction as the account itself.
* Error messages are phrased in formal German ("Sie"); allauth's own German
  catalogue mixes "du" and "Sie".
* After logging in, someone with open invitations lands on the dashboard, where
  they can accept them.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lotse.ecosystem.domain.organisations import ensure_person_for_user


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": _(
            "E-Mail-Adresse oder Passwort sind nicht korrekt. Bitte prüfen Sie Ihre Eingabe."
        ),
        "email_taken": _("Mit dieser E-Mail-Adresse ist bereits ein Konto registriert."),
        "invalid_password_reset": _(
            "Der Link zum Zurücksetzen des Passworts ist ungültig oder abgelaufen."
        ),
        "too_many_login_attempts": _(
            "Zu viele fehlgeschlagene Anmeldeversuche. Aus Sicherheitsgründen ist die "
            "Anmeldung vorübergehend gesperrt. Bitte versuchen Sie es in einigen Minuten "
            "erneut oder setzen Sie Ihr Passwort zurück."
        ),
        "rate_limited": _(
            "Zu viele Anfragen in kurzer Zeit. Bitte warten Sie einen Moment und versuchen "
            "Sie es dann erneut."
        ),
        "unverified_primary_email": _("Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse."),
        "account_inactive": _("Dieses Konto ist deaktiviert."),
    }

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            ensure_person_for_user(user)
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        context = {"network_name": settings.LOTSE_NETWORK_NAME, **context}
        super().send_mail(template_prefix, email, context)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        from lotse.ecosystem.member_selectors import open_invitations_for_user

        if open_invitations_for_user(request.user).exists():
            return reverse("accounts:dashboard")
        return super().get_login_redirect_url(request)
