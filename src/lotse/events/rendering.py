"""The programme grid and list as HTML, built in Python.

A conference programme has hundreds of sessions; rendering each card through
Django template includes costs about a millisecond per card, too slow for the
150 ms target (bench/events_bench.py).  This module builds the same markup with
``escape`` and string joins; every user-supplied value goes through ``escape``.
The surrounding page (filters, headings) stays in the templates.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from lotse.events.models import Event, SessionKind
from lotse.events.selectors import Programme, SessionRow


class _Cards:
    def __init__(self, event: Event, programme: Programme) -> None:
        self.session_base = reverse("events:programme", kwargs={"slug": event.slug})
        self.speaker_base = reverse("events:speaker_detail", kwargs={"key": "__key__"}).replace(
            "__key__/", ""
        )
        self.kinds = {value: str(label) for value, label in SessionKind.choices}
        self.starred = programme.starred

    def card(self, s: SessionRow, *, show_room: bool) -> str:
        meta: list[str] = [escape(self.kinds.get(s.kind, s.kind))]
        if show_room and s.room_name:
            meta.append(escape(s.room_name))
        meta.append(escape(s.language.upper()))
        if s.pk in self.starred:
            meta.append("★")
        people = [
            f'<a href="{self.speaker_base}{escape(key)}/">{escape(name)}</a>'
            for key, name in s.speakers
        ] + [escape(name) for name in s.guests]
        speakers = f'<span class="speakers">{", ".join(people)}</span>' if people else ""
        return (
            f'<div class="session-card session-{escape(s.kind)}">'
            f'<a href="{self.session_base}{escape(s.code)}/">{escape(s.title)}</a>'
            f'<span class="meta">{" · ".join(meta)}</span>{speakers}</div>'
        )


def programme_html(event: Event, programme: Programme, *, view: str) -> SafeString:
    cards = _Cards(event, programme)
    out: list[str] = []
    for day in programme.days:
        out.append(f"<h2>{escape(date_format(day.date, 'l, j. F Y'))}</h2>")
        if view == "grid":
            head = "".join(
                f'<th scope="col">{escape(name) if pk is not None else escape(_("ohne Raum"))}</th>'
                for pk, name in day.rooms
            )
            out.append(
                '<div class="grid-scroll"><table class="programme-grid"><thead><tr>'
                f'<th scope="col">{escape(_("Zeit"))}</th>{head}</tr></thead><tbody>'
            )
            for row in day.rows:
                cells = "".join(
                    "<td>" + "".join(cards.card(s, show_room=False) for s in cell) + "</td>"
                    for cell in row.cells
                )
                out.append(f'<tr><th scope="row">{row.time:%H:%M}</th>{cells}</tr>')
            out.append("</tbody></table></div>")
        else:
            out.append('<ul class="session-list">')
            for s in day.sessions:
                out.append(
                    f'<li><span class="session-time">{s.starts_at:%H:%M}–{s.ends_at:%H:%M}'
                    f"</span>{cards.card(s, show_room=True)}</li>"
                )
            out.append("</ul>")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
