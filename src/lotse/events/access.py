"""Who may see and change what in the events app (the only place that decides)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from lotse.ecosystem.access import is_manager, is_member
from lotse.events.models import Event, EventStatus


def can_create_event(user: Any) -> bool:
    return is_manager(user)


def is_organiser(user: Any, event: Event) -> bool:
    if not is_member(user):
        return False
    return event.organisers.filter(pk=user.pk).exists()


def can_edit_event(user: Any, event: Event) -> bool:
    """Organisers of the event and network managers edit programme and registrations."""
    return is_manager(user) or is_organiser(user, event)


def can_view_event(user: Any, event: Event) -> bool:
    if event.status != EventStatus.DRAFT:
        return True
    return can_edit_event(user, event)


def visible_events(user: Any, queryset: QuerySet[Event] | None = None) -> QuerySet[Event]:
    queryset = queryset if queryset is not None else Event.objects.all()
    if is_manager(user):
        return queryset
    condition = ~Q(status=EventStatus.DRAFT)
    if is_member(user):
        condition |= Q(organisers=user)
    return queryset.filter(condition).distinct()


def can_import_schedule(user: Any) -> bool:
    return is_manager(user)


def can_register(user: Any) -> bool:
    return is_member(user)
