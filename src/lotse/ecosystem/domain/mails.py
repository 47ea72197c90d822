"""Mails sent by the membership flows (invitations, claim decisions)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string


def absolute_url(path: str, *, base_url: str | None = None) -> str:
    """``path`` on the site: ``base_url`` (the request's) or LOTSE_SITE_URL."""
    base = (base_url or settings.SITE_URL).rstrip("/")
    return f"{base}{path}"


def send_templated_mail(template_prefix: str, to: str, context: dict[str, Any]) -> None:
    """Render ``<prefix>_subject.txt`` and ``<prefix>_message.txt`` and send them.

    Raises the backend's error (``OSError``/``SMTPException``) when sending fails,
    so the caller's transaction rolls back instead of leaving a record whose
    mail never left.
    """
    context = {"network_name": settings.LOTSE_NETWORK_NAME, **context}
    subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
    body = render_to_string(f"{template_prefix}_message.txt", context).strip() + "\n"
    EmailMessage(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    ).send()
