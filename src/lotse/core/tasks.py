"""Background jobs shared by all apps.

Jobs use Django's task API (``django_tasks``, the backport of ``django.tasks``);
the backend comes from settings (immediate, database or RQ on Redis).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks import task


@task()
def send_mail(
    subject: str,
    body: str,
    recipients: Sequence[str],
    attachments: Sequence[tuple[str, str, str]] = (),
) -> int:
    """Send one e-mail off the request path.  Attachments: (filename, content, mimetype)."""
    message = EmailMessage(subject=subject, body=body, to=list(recipients))
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message.send()


@task()
def heartbeat(token: str) -> str:
    """A no-op job whose result proves that a worker runs (used by checks and tests)."""
    return f"{token}@{timezone.now().isoformat()}"
