"""Raw cell values → model values, or a message that says what is wrong.

Every function raises :class:`FieldError` with a German message; nothing here
writes.  Validation is done by hand instead of ``full_clean`` per row, which is
far too slow for 100,000 rows.
"""

from __future__ import annotations

import datetime as dt
import difflib
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import nh3
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from lotse.ecosystem.importing.schema import MULTI_SEPARATOR, Column
from lotse.ecosystem.models import MembershipRole, Person, Term, TermStatus, Visibility

KEY_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
LANGUAGE_RE = re.compile(r"^[a-z]{2}$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
SCRIPT_RE = re.compile(r"<(script|style)\b[^>]*>.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
OPEN_SCRIPT_RE = re.compile(r"</?(script|style)\b[^>]*>?", re.IGNORECASE)
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TRUE = {"1", "true", "ja", "yes", "wahr", "x", "y", "j"}
FALSE = {"0", "false", "nein", "no", "falsch", "n", ""}

_url = URLValidator(schemes=["http", "https"])
_email = EmailValidator()


class FieldError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def as_text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, str):
        value = raw
    elif isinstance(raw, bool):
        raise FieldError(_("Text erwartet, nicht %(value)s.") % {"value": raw})
    elif isinstance(raw, int | float):
        value = str(raw)
    else:
        raise FieldError(_("Text erwartet."))
    if "\x00" in value or CONTROL_RE.search(value):
        value = CONTROL_RE.sub("", value)
    return value.strip()


def strip_tags(value: str) -> str:
    """Plain text: every tag (and the body of script/style) goes; entities stay readable."""
    if "<" not in value:
        return value
    for _round in range(3):
        cleaned = html.unescape(nh3.clean(SCRIPT_RE.sub("", value), tags=set())).strip()
        if cleaned == value or "<" not in cleaned:
            return cleaned
        value = cleaned
    return value.replace("<", "").replace(">", "")


def strip_scripts(value: str) -> str:
    """Markdown: sanitised when rendered, but script/style elements go right away."""
    if "<" not in value:
        return value
    value = SCRIPT_RE.sub("", value)
    return OPEN_SCRIPT_RE.sub("", value)


def split_many(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, list):
        items = []
        for item in raw:
            items.append(as_text(item))
        return [item for item in items if item]
    text = as_text(raw)
    return [part.strip() for part in text.split(MULTI_SEPARATOR) if part.strip()]


def clean_key(raw: Any, column: Column) -> str:
    value = as_text(raw)
    if not value:
        raise FieldError(_("Pflichtfeld ist leer."))
    if not KEY_RE.match(value):
        raise FieldError(
            _(
                "»%(value)s« ist kein gültiger Schlüssel (nur Buchstaben a–z, Ziffern, "
                "Binde- und Unterstriche)."
            )
            % {"value": value[:80]}
        )
    if column.max_length and len(value) > column.max_length:
        raise FieldError(
            _("Schlüssel ist zu lang (höchstens %(n)s Zeichen).") % {"n": column.max_length}
        )
    return value


def clean_text(raw: Any, column: Column) -> str:
    value = as_text(raw)
    value = strip_scripts(value) if column.kind == "markdown" else strip_tags(value)
    if column.required and not value:
        raise FieldError(_("Pflichtfeld ist leer."))
    if column.max_length and len(value) > column.max_length:
        raise FieldError(
            _("Text ist zu lang (%(found)s Zeichen, höchstens %(n)s).")
            % {"found": len(value), "n": column.max_length}
        )
    return value


def _choice_lookup(column: Column) -> dict[str, str]:
    assert column.choices is not None
    lookup: dict[str, str] = {}
    for value, label in column.choices.choices:
        lookup[str(value).lower()] = str(value)
        lookup[str(label).lower()] = str(value)
    return lookup


_CHOICE_CACHE: dict[int, dict[str, str]] = {}


def clean_choice(raw: Any, column: Column) -> str:
    value = as_text(raw)
    if not value:
        if column.required:
            raise FieldError(_("Pflichtfeld ist leer."))
        return ""
    lookup = _CHOICE_CACHE.get(id(column))
    if lookup is None:
        lookup = _CHOICE_CACHE[id(column)] = _choice_lookup(column)
    found = lookup.get(value.lower())
    if found is None:
        allowed = ", ".join(str(choice) for choice in column.choices.values)  # type: ignore[union-attr]
        close = difflib.get_close_matches(value.lower(), list(lookup), n=1, cutoff=0.6)
        hint = _(" Meinten Sie »%(close)s«?") % {"close": lookup[close[0]]} if close else ""
        raise FieldError(
            _("Unbekannter Wert »%(value)s«; erlaubt: %(allowed)s.%(hint)s")
            % {"value": value[:80], "allowed": allowed, "hint": hint}
        )
    return found


def clean_url(raw: Any, column: Column) -> str:
    value = as_text(raw)
    if not value:
        return ""
    if "://" not in value:
        value = f"https://{value}"
    if column.max_length and len(value) > column.max_length:
        raise FieldError(
            _("Adresse ist zu lang (höchstens %(n)s Zeichen).") % {"n": column.max_length}
        )
    try:
        _url(value)
    except ValidationError:
        raise FieldError(
            _("»%(value)s« ist keine gültige Web-Adresse.") % {"value": value[:200]}
        ) from None
    return value


def clean_email(raw: Any, column: Column) -> str:
    value = as_text(raw)
    if not value:
        return ""
    if column.max_length and len(value) > column.max_length:
        raise FieldError(_("E-Mail-Adresse ist zu lang."))
    try:
        _email(value)
    except ValidationError:
        raise FieldError(
            _("»%(value)s« ist keine gültige E-Mail-Adresse.") % {"value": value[:200]}
        ) from None
    return value


def clean_float(raw: Any, column: Column) -> float | None:
    if isinstance(raw, bool):
        raise FieldError(_("Zahl erwartet."))
    if isinstance(raw, int | float):
        number = float(raw)
    else:
        value = as_text(raw)
        if not value:
            return None
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            raise FieldError(_("»%(value)s« ist keine Zahl.") % {"value": value[:40]}) from None
    low, high = column.bounds or (float("-inf"), float("inf"))
    if not (low <= number <= high):  # also rejects NaN
        raise FieldError(
            _("%(value)s liegt nicht zwischen %(low)s und %(high)s.")
            % {"value": number, "low": low, "high": high}
        )
    return number


def clean_year(raw: Any, column: Column) -> int | None:
    if isinstance(raw, bool):
        raise FieldError(_("Jahreszahl erwartet."))
    value = str(raw) if isinstance(raw, int) else as_text(raw)
    if not value:
        return None
    if not value.isdigit():
        raise FieldError(_("»%(value)s« ist keine Jahreszahl.") % {"value": value[:40]})
    year = int(value)
    latest = timezone.localdate().year + 1
    if not (1000 <= year <= latest):
        raise FieldError(
            _("Jahr %(year)s liegt nicht zwischen 1000 und %(latest)s.")
            % {"year": year, "latest": latest}
        )
    return year


def clean_date(raw: Any, column: Column) -> dt.date | None:
    value = as_text(raw)
    if not value:
        return None
    try:
        if re.match(r"^\d{1,2}\.\d{1,2}\.\d{4}$", value):
            return dt.datetime.strptime(value, "%d.%m.%Y").date()
        return dt.date.fromisoformat(value)
    except ValueError:
        raise FieldError(
            _("»%(value)s« ist kein Datum (JJJJ-MM-TT oder TT.MM.JJJJ).") % {"value": value[:40]}
        ) from None


def clean_datetime(raw: Any, column: Column) -> dt.datetime | None:
    value = as_text(raw)
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        try:
            moment = dt.datetime.combine(clean_date(value, column) or dt.date.min, dt.time())
        except FieldError:
            raise FieldError(
                _("»%(value)s« ist kein Zeitpunkt (ISO 8601).") % {"value": value[:40]}
            ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def clean_bool(raw: Any, column: Column) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if raw is None:
        return None
    value = as_text(raw).lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False if value else None
    raise FieldError(
        _("»%(value)s« ist kein Ja/Nein-Wert (ja/nein, true/false, 1/0).") % {"value": value[:20]}
    )


def clean_country(raw: Any, column: Column) -> str:
    value = as_text(raw).upper()
    if not value:
        return "DE"
    if not COUNTRY_RE.match(value):
        raise FieldError(
            _("»%(value)s« ist kein zweistelliger Ländercode (z. B. DE).") % {"value": value[:20]}
        )
    return value


def clean_languages(raw: Any, column: Column) -> list[str]:
    codes = []
    for item in split_many(raw):
        code = item.lower()
        if not LANGUAGE_RE.match(code):
            raise FieldError(
                _("»%(value)s« ist kein zweistelliger Sprachcode (z. B. de, en).")
                % {"value": item[:20]}
            )
        if code not in codes:
            codes.append(code)
    return codes


def clean_visibility_map(raw: Any, column: Column) -> dict[str, str]:
    if isinstance(raw, dict):
        pairs = [(str(k), as_text(v)) for k, v in raw.items()]
    else:
        pairs = []
        for item in split_many(raw):
            name, sep, level = item.partition("=")
            if not sep:
                raise FieldError(
                    _("»%(value)s«: erwartet Feld=Sichtbarkeit, z. B. email=members.")
                    % {"value": item[:40]}
                )
            pairs.append((name.strip(), level.strip()))
    result: dict[str, str] = {}
    for name, level in pairs:
        if name not in Person.PER_FIELD_VISIBILITY:
            raise FieldError(
                _("Unbekanntes Feld »%(name)s«; erlaubt: %(allowed)s.")
                % {"name": name[:40], "allowed": ", ".join(Person.PER_FIELD_VISIBILITY)}
            )
        if level not in Visibility.values:
            raise FieldError(
                _("Unbekannte Sichtbarkeit »%(level)s«; erlaubt: public, members, hidden.")
                % {"level": level[:40]}
            )
        result[name] = level
    return result


@dataclass(frozen=True)
class MembershipEntry:
    organisation: str
    role: str | None  # None: keep an existing membership's role (new ones: member)
    title: str


def clean_memberships(raw: Any, column: Column) -> list[MembershipEntry]:
    """CSV: ``org-key:role:Funktion`` separated by ``|``; JSON: objects or such strings."""
    entries: list[MembershipEntry] = []
    items: Iterable[Any] = raw if isinstance(raw, list) else split_many(raw)
    seen: set[str] = set()
    for item in items:
        if isinstance(item, dict):
            organisation = as_text(item.get("organisation"))
            role = as_text(item.get("role")) or None
            title = as_text(item.get("title"))
        else:
            text = as_text(item)
            if not text:
                continue
            organisation, _sep, rest = text.partition(":")
            role_text, _sep, title = rest.partition(":")
            organisation, role, title = (
                organisation.strip(),
                role_text.strip() or None,
                title.strip(),
            )
        if not KEY_RE.match(organisation or "-!"):
            raise FieldError(
                _("Mitgliedschaft »%(value)s«: Organisationsschlüssel fehlt oder ist ungültig.")
                % {"value": str(item)[:80]}
            )
        if role is not None and role not in MembershipRole.values:
            raise FieldError(
                _(
                    "Mitgliedschaft bei »%(organisation)s«: unbekannte Rolle »%(role)s« "
                    "(member oder admin)."
                )
                % {"organisation": organisation, "role": role[:20]}
            )
        title = strip_tags(title)
        if len(title) > 200:
            raise FieldError(_("Funktion ist zu lang (höchstens 200 Zeichen)."))
        if organisation in seen:
            raise FieldError(
                _("Die Organisation »%(organisation)s« steht doppelt in den Mitgliedschaften.")
                % {"organisation": organisation}
            )
        seen.add(organisation)
        entries.append(MembershipEntry(organisation, role, title))
    return entries


def clean_reference(raw: Any, column: Column) -> str:
    value = as_text(raw)
    if not value:
        if column.required:
            raise FieldError(_("Pflichtfeld ist leer."))
        return ""
    if not KEY_RE.match(value):
        raise FieldError(_("»%(value)s« ist kein gültiger Schlüssel.") % {"value": value[:80]})
    return value


class TermResolver:
    """Slugs (or names) → approved term ids, with suggestions for unknown ones."""

    def __init__(self) -> None:
        self.by_vocabulary: dict[str, dict[str, int]] = {}
        self.slugs: dict[str, list[str]] = {}
        self.not_approved: dict[str, str] = {}
        for pk, vocabulary, slug, name, status in Term.objects.values_list(
            "pk", "vocabulary", "slug", "name", "status"
        ):
            if status != TermStatus.APPROVED:
                self.not_approved[slug.lower()] = slug
                continue
            lookup = self.by_vocabulary.setdefault(vocabulary, {})
            lookup[slug] = pk
            lookup.setdefault(slug.lower(), pk)
            lookup.setdefault(name.casefold(), pk)
            self.slugs.setdefault(vocabulary, []).append(slug)
        self._cache: dict[tuple[str, tuple[str, ...]], int | str] = {}

    def resolve(self, values: list[str], vocabularies: tuple[str, ...]) -> list[int]:
        ids: list[int] = []
        problems: list[str] = []
        for value in values:
            found = self._cache.get((value, vocabularies))
            if found is None:
                found = self._lookup(value, vocabularies)
                self._cache[(value, vocabularies)] = found
            if isinstance(found, str):
                problems.append(found)
            elif found not in ids:
                ids.append(found)
        if problems:
            raise FieldError(" ".join(problems))
        return ids

    def _lookup(self, value: str, vocabularies: tuple[str, ...]) -> int | str:
        for vocabulary in vocabularies:
            lookup = self.by_vocabulary.get(vocabulary, {})
            for candidate in (value, value.lower(), value.casefold()):
                if candidate in lookup:
                    return lookup[candidate]
        if value.lower() in self.not_approved:
            return _("Begriff »%(value)s« ist noch nicht freigegeben.") % {"value": value[:80]}
        slugs = [slug for vocabulary in vocabularies for slug in self.slugs.get(vocabulary, [])]
        close = difflib.get_close_matches(value.lower(), slugs, n=3, cutoff=0.5)
        hint = _(" Meinten Sie: %(close)s?") % {"close": ", ".join(close)} if close else ""
        return _("Unbekannter Begriff »%(value)s«.%(hint)s") % {"value": value[:80], "hint": hint}


CLEANERS: dict[str, Any] = {
    "key": clean_key,
    "text": clean_text,
    "markdown": clean_text,
    "choice": clean_choice,
    "url": clean_url,
    "email": clean_email,
    "float": clean_float,
    "year": clean_year,
    "date": clean_date,
    "datetime": clean_datetime,
    "bool": clean_bool,
    "country": clean_country,
    "languages": clean_languages,
    "visibility_map": clean_visibility_map,
    "memberships": clean_memberships,
    "organisation": clean_reference,
    "person": clean_reference,
}
