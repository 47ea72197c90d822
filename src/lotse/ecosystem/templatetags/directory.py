from __future__ import annotations

from typing import Any

from django import template

from lotse.ecosystem import access
from lotse.ecosystem.models import Person

register = template.Library()


@register.simple_tag(takes_context=True)
def person_field_visible(context: dict[str, Any], person: Person, field: str) -> bool:
    return access.can_view_person_field(context["request"].user, person, field)
