from __future__ import annotations

from django import template

from lotse.matching import selectors

register = template.Library()


@register.simple_tag
def alliance_figures() -> selectors.AllianceFigures:
    """``{% load matching %}{% alliance_figures as alliances %}`` for the overview page."""
    return selectors.alliance_figures()
