"""Reads for the start page: a little of everything the network offers."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.utils import timezone

from lotse.ecosystem import selectors as ecosystem_selectors
from lotse.ecosystem.models import Need, Offer


def upcoming_events(user: Any, limit: int = 3) -> list[Any]:
    if not apps.is_installed("lotse.events"):
        return []
    from lotse.events import access as event_access

    events = event_access.visible_events(user).filter(ends_at__gte=timezone.now())
    return list(events.select_related("venue").order_by("starts_at")[:limit])


def home_context(user: Any) -> dict[str, Any]:
    return {
        "stats": ecosystem_selectors.get_headline_counts(),
        "recent_organisations": ecosystem_selectors.recent_organisations(),
        "recent_needs": ecosystem_selectors.recent_listings(user, Need),
        "recent_offers": ecosystem_selectors.recent_listings(user, Offer),
        "upcoming_events": upcoming_events(user),
    }
