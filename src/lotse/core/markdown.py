"""Markdown to safe HTML: Markdown renders, nh3 (Ammonia) sanitises."""

from __future__ import annotations

import html

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "blockquote", "code", "pre",
    "h2", "h3", "h4", "hr", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(text: str) -> SafeString:
    """Render user Markdown; raw HTML in the input is escaped or stripped, never executed."""
    html = md.markdown(text or "", extensions=["sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


def strip_html(text: str) -> str:
    """Remove every tag from plain-text fields (names, titles).

    The result is plain text, not HTML: entities are decoded again ("Müller & Söhne"
    stays as typed); templates escape it on output.
    """
    return html.unescape(nh3.clean(text or "", tags=set()))
