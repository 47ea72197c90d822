"""English interface: language switch, key pages, and a complete, consistent catalogue.

German is the source language; English comes from src/lotse/locale/en/LC_MESSAGES/django.po
(compiled to django.mo, both committed).  The catalogue tests parse the .po file themselves, so
they need no gettext tools; the completeness check against the source code runs makemessages
and is skipped where GNU gettext (xgettext) is not installed.
"""

from __future__ import annotations

import ast
import datetime as dt
import gettext
import re
import shutil
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from lotse.ecosystem.domain.organisations import create_organisation
from lotse.ecosystem.models import Organisation

SOURCE = Path(__file__).resolve().parents[2] / "src" / "lotse"
LOCALE = SOURCE / "locale"
PO_FILE = LOCALE / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")

# %(name)s, %(n)d, %(gap).1f, %s, %% and str.format fields such as {name}.
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]|\{[^{}]*\}")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


# --- A small .po reader --------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0


def _unquote(text: str) -> str:
    value = ast.literal_eval(text)
    assert isinstance(value, str)
    return value


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file (the header is the entry with an empty msgid)."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal current, target
        if current is not None:
            entries.append(current)
        current, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            if current is None:
                current = Entry(line=number)
            current.obsolete = True
            continue
        if line.startswith("#"):
            if current is not None and (current.msgid or current.msgstr):
                finish()
            if current is None:
                current = Entry(line=number)
            if line.startswith("#,"):
                current.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if current is None:
            current = Entry(line=number)
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            assert target is not None, f"{path}:{number}: continuation without keyword"
            keyword, rest = target[0], line
            value = _unquote(rest)
            if keyword == "msgstr":
                current.msgstr[target[1]] += value
            else:
                setattr(current, keyword, (getattr(current, keyword) or "") + value)
            continue
        value = _unquote(rest)
        plural_index = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if plural_index:
            target = ("msgstr", int(plural_index.group(1)))
            current.msgstr[target[1]] = value
        elif keyword == "msgstr":
            target = ("msgstr", 0)
            current.msgstr[0] = value
        elif keyword in {"msgid", "msgid_plural", "msgctxt"}:
            if keyword == "msgid" and current.msgid:
                finish()
                current = Entry(line=number)
            target = (keyword, 0)
            setattr(current, keyword, value)
        else:
            raise AssertionError(f"{path}:{number}: unexpected line {raw!r}")
    finish()
    return entries


def catalogue() -> list[Entry]:
    return [entry for entry in parse_po(PO_FILE) if entry.msgid and not entry.obsolete]


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_po_reader_understands_plurals_continuations_and_flags(tmp_path: Path) -> None:
    sample = tmp_path / "sample.po"
    sample.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid ""\n"Zeile %(n)s "\n"lang"\nmsgstr "Line"\n\n'
        'msgid "%(n)s Ort"\nmsgid_plural "%(n)s Orte"\nmsgstr[0] "%(n)s place"\n'
        'msgstr[1] ""\n"%(n)s places"\n\n#~ msgid "alt"\n#~ msgstr "old"\n',
        encoding="utf-8",
    )
    header, single, plural, old = parse_po(sample)
    assert header.msgid == ""
    assert "Language: en" in header.msgstr[0]
    assert single.msgid == "Zeile %(n)s lang"
    assert single.msgstr == {0: "Line"}
    assert single.flags == {"fuzzy", "python-format"}
    assert plural.msgid_plural == "%(n)s Orte"
    assert plural.msgstr[1] == "%(n)s places"
    assert old.obsolete


# --- The catalogue ----------------------------------------------------------------------------


def test_catalogue_header_declares_english_plural_forms() -> None:
    header = next(entry for entry in parse_po(PO_FILE) if entry.msgid == "")
    assert "fuzzy" not in header.flags
    assert "Language: en\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]
    assert "charset=UTF-8" in header.msgstr[0]


def test_catalogue_covers_every_app() -> None:
    lines = PO_FILE.read_text(encoding="utf-8").splitlines()
    sources = {ref for line in lines if line.startswith("#: ") for ref in line[3:].split()}
    top = {ref.split("/")[0] for ref in sources if "/" in ref}
    assert {"core", "accounts", "ecosystem", "events", "matching", "search", "templates"} <= top
    assert not any(".venv" in ref or "migrations/" in ref for ref in sources)
    assert all((SOURCE / ref.rsplit(":", 1)[0]).is_file() for ref in sources)  # not tests/
    assert len(catalogue()) > 1000


def test_every_entry_is_translated_and_not_fuzzy() -> None:
    entries = catalogue()
    untranslated = [e.msgid for e in entries if not all(e.msgstr.values()) or not e.msgstr]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    obsolete = [e.line for e in parse_po(PO_FILE) if e.obsolete]
    assert untranslated == []
    assert fuzzy == []
    assert obsolete == []


def test_plural_entries_have_both_english_forms() -> None:
    for entry in catalogue():
        if entry.msgid_plural is not None:
            assert sorted(entry.msgstr) == [0, 1], entry.msgid
            assert entry.msgstr[0] != entry.msgstr[1], entry.msgid
        else:
            assert sorted(entry.msgstr) == [0], entry.msgid


def test_placeholders_in_msgstr_match_msgid() -> None:
    mismatches = []
    for entry in catalogue():
        if entry.msgid_plural is None:
            pairs = [(entry.msgid, entry.msgstr[0])]
        else:
            # English singular may drop the number ("one result") but never invent one.
            pairs = [(entry.msgid_plural, entry.msgstr[1])]
            singular = set(placeholders(entry.msgstr[0]))
            if not singular <= set(placeholders(entry.msgid_plural)):
                mismatches.append((entry.msgid, entry.msgstr[0]))
        for source, translation in pairs:
            if placeholders(source) != placeholders(translation):
                mismatches.append((source, translation))
    assert mismatches == []


def test_markup_and_surrounding_whitespace_are_kept() -> None:
    problems = []
    for entry in catalogue():
        for index, translation in entry.msgstr.items():
            source = entry.msgid if index == 0 else entry.msgid_plural or entry.msgid
            tags = sorted(re.sub(r"\s+", " ", t) for t in HTML_TAG.findall(source))
            if tags != sorted(re.sub(r"\s+", " ", t) for t in HTML_TAG.findall(translation)):
                problems.append(("markup", source, translation))
            if source.endswith("\n") != translation.endswith("\n"):
                problems.append(("trailing newline", source, translation))
            if source.startswith(" ") != translation.startswith(" "):
                problems.append(("leading space", source, translation))
            if source.count("\n") != translation.count("\n"):
                problems.append(("line count", source, translation))
    assert problems == []


def test_translations_are_english_not_copied_german() -> None:
    german = re.compile(r"[äöüß]|\b(?:und|oder|nicht|Sie|Ihre?|bitte|wurde|werden)\b", re.I)
    # Proper names, examples and import keywords that stay German on purpose.
    allowed = {"ja/nein", "KI | AI | künstliche Intelligenz", "Schleswig-Holstein", "Deutsch"}
    leftovers = []
    for entry in catalogue():
        for translation in entry.msgstr.values():
            rest = translation
            for keep in allowed:
                rest = rest.replace(keep, "")
            if german.search(rest):
                leftovers.append(translation)
    assert leftovers == []


def test_compiled_catalogue_matches_the_po_file() -> None:
    """django.mo is committed; it must hold exactly what the .po file says."""
    assert MO_FILE.stat().st_size > 0
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in catalogue():
        if entry.msgid_plural is None:
            if compiled.gettext(entry.msgid) != entry.msgstr[0]:
                stale.append(entry.msgid)
        else:
            one = compiled.ngettext(entry.msgid, entry.msgid_plural, 1)
            many = compiled.ngettext(entry.msgid, entry.msgid_plural, 5)
            if (one, many) != (entry.msgstr[0], entry.msgstr[1]):
                stale.append(entry.msgid)
    assert stale == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_catalogue_contains_every_string_marked_in_the_source(
    tmp_path: Path, settings: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """makemessages on a copy of the source finds no msgid that the catalogue lacks."""
    copy = tmp_path / "lotse"
    shutil.copytree(
        SOURCE,
        copy,
        ignore=shutil.ignore_patterns("locale", "migrations", "static", "__pycache__"),
    )
    (copy / "locale").mkdir()
    settings.LOCALE_PATHS = [copy / "locale"]  # type: ignore[attr-defined]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["en"], verbosity=0, no_obsolete=True)
    fresh = {(e.msgctxt, e.msgid) for e in parse_po(copy / "locale/en/LC_MESSAGES/django.po")}
    known = {(e.msgctxt, e.msgid) for e in catalogue()}
    assert len(fresh) > 1000  # the copy really was scanned
    missing = sorted(str(msgid) for context, msgid in fresh - known if msgid)
    assert missing == [], f"run makemessages -l en and translate: {missing}"


# --- Pages in both languages ------------------------------------------------------------------


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(" ".join(data.split()))


def visible_text(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    return parser.parts


def html_lang(html: str) -> str:
    match = re.search(r"<html lang=\"([^\"]+)\"", html)
    assert match, "no lang attribute on <html>"
    return match.group(1)


@pytest.fixture
def studio(db: None) -> Organisation:
    return create_organisation(
        name="Elbklang Studio",
        kind="production_studio",
        city="Hamburg",
        size_band="2-9",
        founded_year=2019,
    )


def pages(organisation: Organisation) -> list[str]:
    return [
        "/",
        "/verzeichnis/organisationen/",
        "/accounts/login/",
        organisation.get_absolute_url(),
    ]


GERMAN_CHROME = ["Organisationen", "Suche", "Anmelden", "Registrieren", "Zum Inhalt springen"]
ENGLISH_CHROME = ["Organisations", "Search", "Log in", "Sign up", "Skip to content"]


@pytest.mark.django_db
def test_german_is_the_default(client: Client, studio: Organisation) -> None:
    for url in pages(studio):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert response["Content-Language"] == "de"
        assert html_lang(html) == "de"
        text = visible_text(html)
        for word in GERMAN_CHROME:
            assert word in text, (url, word)
        assert "English" in text  # the switch offers the other language
        assert "Log in" not in text


@pytest.mark.django_db
def test_switching_to_english_translates_key_pages(client: Client, studio: Organisation) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/verzeichnis/"})
    assert response.status_code == 302
    assert response["Location"] == "/verzeichnis/"
    for url in pages(studio):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert response["Content-Language"] == "en"
        assert html_lang(html) == "en"
        text = visible_text(html)
        for word in ENGLISH_CHROME:
            assert word in text, (url, word)
        for word in GERMAN_CHROME:
            assert word not in text, (url, word)
        assert "Deutsch" in text  # and the switch now offers German


@pytest.mark.django_db
def test_english_pages_show_translated_content(client: Client, studio: Organisation) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    home = visible_text(client.get("/").content.decode())
    assert "Home · Lotse" in home
    assert "Search the directory" in home
    directory = visible_text(client.get("/verzeichnis/organisationen/").content.decode())
    assert "Sort order" in directory
    assert "1 result" in directory
    login = visible_text(client.get("/accounts/login/").content.decode())
    assert "No account yet?" in login
    detail = visible_text(client.get(studio.get_absolute_url()).content.decode())
    assert "Production studio · Hamburg" in detail
    for label in ("Address", "Size", "2–9 employees", "Founded", "People", "Offers", "Needs"):
        assert label in detail, label
    assert "No offers." in detail
    assert "Produktionsstudio · Hamburg" not in detail


@pytest.mark.django_db
def test_accept_language_header_selects_english(client: Client, studio: Organisation) -> None:
    response = client.get("/", headers={"accept-language": "en-GB,en;q=0.9"})
    html = response.content.decode()
    assert html_lang(html) == "en"
    assert "Organisations" in visible_text(html)
    response = client.get("/", headers={"accept-language": "fr,de;q=0.5"})
    assert html_lang(response.content.decode()) == "de"


@pytest.mark.django_db
def test_switching_back_to_german(client: Client, studio: Organisation) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    client.post("/i18n/setlang/", {"language": "de", "next": "/"})
    html = client.get(studio.get_absolute_url()).content.decode()
    assert html_lang(html) == "de"
    assert "Produktionsstudio · Hamburg" in visible_text(html)


@pytest.mark.django_db
def test_unknown_language_is_ignored(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert response.status_code == 302
    assert html_lang(client.get("/").content.decode()) == "de"


@pytest.mark.django_db
def test_english_error_page(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert "Page not found" in visible_text(response.content.decode())


@pytest.mark.django_db
def test_dates_follow_the_language(client: Client, studio: Organisation, manager: Any) -> None:
    """Dates use the language's formats (SHORT_DATE_FORMAT), not a fixed German one."""
    Organisation.objects.filter(pk=studio.pk).update(last_confirmed=dt.date(2026, 2, 3))
    client.force_login(manager)  # who may edit sees when the profile was last confirmed
    german = " ".join(visible_text(client.get(studio.get_absolute_url()).content.decode()))
    assert "zuletzt bestätigt am 03.02.2026" in german
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = " ".join(visible_text(client.get(studio.get_absolute_url()).content.decode()))
    assert "last confirmed on 02/03/2026" in english
    assert "03.02.2026" not in english
