"""``{% accessible_field form.email %}``: label, input, help text and announced errors."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField

register = template.Library()


@register.inclusion_tag("accounts/_field.html")
def accessible_field(field: BoundField, autocomplete: str = "") -> dict[str, Any]:
    """Render ``field`` so screen readers get its label, its hint and its errors.

    The input points at the help text and the error list via ``aria-describedby``
    and carries ``aria-invalid`` when the value was rejected; the error list is a
    live region, so it is read out after a failed submit.
    """
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_helptext")
    if field.errors:
        described.append(f"{field.auto_id}_errors")
    attrs: dict[str, Any] = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    if autocomplete:
        attrs["autocomplete"] = autocomplete
    return {
        "field": field,
        "widget": field.as_widget(attrs=attrs),
        "is_checkbox": field.widget_type == "checkbox",
    }
