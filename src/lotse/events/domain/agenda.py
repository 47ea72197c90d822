"""Personal agenda (stars) and feedback after a session."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lotse.events.models import Feedback, Session, Star


class AgendaError(Exception):
    pass


@transaction.atomic
def toggle_star(session: Session, user: Any) -> bool:
    """Star or unstar ``session``; returns whether it is starred now."""
    deleted, _details = Star.objects.filter(session=session, user=user).delete()
    if deleted:
        return False
    Star.objects.get_or_create(session=session, user=user)
    return True


@transaction.atomic
def give_feedback(session: Session, user: Any, *, rating: int, comment: str = "") -> Feedback:
    if not 1 <= int(rating) <= 5:
        raise AgendaError(_("Die Bewertung muss zwischen 1 und 5 liegen."))
    if session.starts_at > timezone.now():
        raise AgendaError(
            _("Rückmeldungen sind erst möglich, wenn der Programmpunkt begonnen hat.")
        )
    feedback, _created = Feedback.objects.update_or_create(
        session=session, user=user, defaults={"rating": int(rating), "comment": comment.strip()}
    )
    return feedback
