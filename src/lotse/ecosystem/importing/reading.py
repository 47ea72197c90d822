"""Bytes → text → records with line numbers, for CSV and JSON.

Nothing here touches the database.  Problems that make the whole file unreadable
raise :class:`FileProblem`; problems of single records are left to validation.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _

from lotse.ecosystem.importing.schema import ENTITIES, normalise_entity

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
MAX_CSV_FIELD = 1_000_000


class FileProblem(Exception):
    """The file as a whole cannot be read; ``line`` where known."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Record:
    line: int  # 1-based line where the record starts
    values: dict[str, Any]
    position: int  # 1-based position among the records of its entity


@dataclass
class Parsed:
    format: str
    encoding: str
    records: dict[str, list[Record]] = field(default_factory=dict)
    columns: dict[str, list[str]] = field(default_factory=dict)  # columns present (CSV header)
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(len(rows) for rows in self.records.values())


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode ``data``; without ``encoding``: BOM, then strict UTF-8, then Windows-1252."""
    if encoding:
        try:
            codec = codecs.lookup(encoding)
        except LookupError:
            raise FileProblem(
                _("Unbekannte Zeichenkodierung: %(encoding)s") % {"encoding": encoding}
            ) from None
        name = "utf-8-sig" if codec.name == "utf-8" else codec.name
        try:
            return data.decode(name), encoding
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise FileProblem(
                _(
                    "Die Datei ist nicht in %(encoding)s kodiert (Byte %(position)s). "
                    "Lassen Sie die Kodierung automatisch erkennen oder wählen Sie eine andere."
                )
                % {"encoding": encoding, "position": error.start},
                line=line,
            ) from None
    for bom, name in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError:
                raise FileProblem(
                    _("Die Datei beginnt mit einer Byte-Order-Mark, ist aber fehlerhaft kodiert.")
                ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Windows-1252 leaves five bytes undefined; those are taken as Latin-1.
    return _decode_cp1252(data), "cp1252"


def _decode_cp1252(data: bytes) -> str:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def detect_format(text: str, *, filename: str = "", format: str | None = None) -> str:
    if format:
        format = format.lower()
        if format not in {"csv", "json"}:
            raise FileProblem(
                _("Unbekanntes Format: %(format)s (csv oder json)") % {"format": format}
            )
        return format
    suffix = PurePath(filename).suffix.lower()
    if suffix in {".csv", ".tsv", ".txt"}:
        return "csv"
    if suffix == ".json":
        return "json"
    stripped = text.lstrip()
    return "json" if stripped[:1] in {"{", "["} else "csv"


def entity_from_filename(filename: str) -> str | None:
    stem = PurePath(filename).stem.lower()
    for part in re.split(r"[^a-z]+", stem):
        entity = normalise_entity(part)
        if entity:
            return entity
    return None


# --- CSV ------------------------------------------------------------------------------


def _delimiter(header_line: str) -> str:
    counts = {delimiter: header_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _csv_records(rows: Iterator[list[str]], reader: Any, header: list[str]) -> Iterator[Record]:
    width = len(header)
    position = 0
    start = reader.line_num + 1
    for row in rows:
        line, start = start, reader.line_num + 1
        if not row or all(not cell.strip() for cell in row):
            continue
        position += 1
        if len(row) > width:
            extra = [cell for cell in row[width:] if cell.strip()]
            if extra:
                values: dict[str, Any] = {
                    "__error__": _(
                        "Zeile hat %(found)s Spalten, die Kopfzeile nur %(expected)s "
                        "(Trennzeichen oder Anführungszeichen prüfen)."
                    )
                    % {"found": len(row), "expected": width}
                }
                yield Record(line, values, position)
                continue
        values = dict(zip(header, row, strict=False))
        yield Record(line, values, position)


def read_csv(text: str) -> tuple[list[str], list[Record]]:
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise FileProblem(
            _("Die Datei enthält Null-Bytes – ist sie wirklich eine CSV-Datei?"), line=line
        )
    first_line = text.split("\n", 1)[0]
    csv.field_size_limit(MAX_CSV_FIELD)
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=_delimiter(first_line), strict=True
    )
    try:
        header_row = next(reader, None)
        if header_row is None:
            raise FileProblem(_("Die Datei ist leer."))
        header = [name.strip().lower() for name in header_row]
        seen: set[str] = set()
        for name in header:
            if not name:
                raise FileProblem(_("Die Kopfzeile enthält eine leere Spaltenüberschrift."), line=1)
            if name in seen:
                raise FileProblem(
                    _("Die Spalte »%(column)s« steht doppelt in der Kopfzeile.") % {"column": name},
                    line=1,
                )
            seen.add(name)
        records = list(_csv_records(reader, reader, header))
    except csv.Error as error:
        raise FileProblem(
            _("Die CSV-Datei ist fehlerhaft: %(error)s") % {"error": error},
            line=reader.line_num or None,
        ) from None
    return header, records


# --- JSON -----------------------------------------------------------------------------

_WS = re.compile(r"[ \t\n\r]*")


class _Scanner:
    """Walks a JSON document to find the line where every entity record starts."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.decoder = json.JSONDecoder()
        self.newlines = [match.start() for match in re.finditer("\n", text)]

    def line_at(self, pos: int) -> int:
        return bisect.bisect_left(self.newlines, pos) + 1

    def skip(self, pos: int) -> int:
        match = _WS.match(self.text, pos)
        return match.end() if match else pos

    def array(self, pos: int) -> tuple[list[tuple[int, Any]], int]:
        items: list[tuple[int, Any]] = []
        pos = self.skip(pos + 1)
        if self.text[pos] == "]":
            return items, pos + 1
        while True:
            line = self.line_at(pos)
            value, pos = self.decoder.raw_decode(self.text, pos)
            items.append((line, value))
            pos = self.skip(pos)
            if self.text[pos] == ",":
                pos = self.skip(pos + 1)
                continue
            if self.text[pos] == "]":
                return items, pos + 1
            raise ValueError("expected , or ]")

    def document(self) -> tuple[Any, dict[str, list[tuple[int, Any]]]]:
        pos = self.skip(0)
        if self.text[pos] == "[":
            items, pos = self.array(pos)
            self.end(pos)
            return [value for _, value in items], {"": items}
        if self.text[pos] != "{":
            value, pos = self.decoder.raw_decode(self.text, pos)
            self.end(pos)
            return value, {}
        document: dict[str, Any] = {}
        arrays: dict[str, list[tuple[int, Any]]] = {}
        pos = self.skip(pos + 1)
        while self.text[pos] != "}":
            key, pos = self.decoder.raw_decode(self.text, pos)
            pos = self.skip(pos)
            if self.text[pos] != ":":
                raise ValueError("expected :")
            pos = self.skip(pos + 1)
            if self.text[pos] == "[":
                items, pos = self.array(pos)
                arrays[key] = items
                document[key] = [value for _, value in items]
            else:
                document[key], pos = self.decoder.raw_decode(self.text, pos)
            pos = self.skip(pos)
            if self.text[pos] == ",":
                pos = self.skip(pos + 1)
            elif self.text[pos] != "}":
                raise ValueError("expected , or }")
        self.end(pos + 1)
        return document, arrays

    def end(self, pos: int) -> None:
        if self.skip(pos) != len(self.text):
            raise ValueError("trailing data")


def _load_json(text: str) -> tuple[Any, dict[str, list[tuple[int, Any]]]]:
    try:
        return _Scanner(text).document()
    except (ValueError, IndexError, RecursionError):
        pass
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        raise FileProblem(
            _("Die JSON-Datei ist fehlerhaft: %(error)s (Spalte %(column)s)")
            % {"error": error.msg, "column": error.colno},
            line=error.lineno,
        ) from None
    except RecursionError:
        raise FileProblem(_("Die JSON-Datei ist zu tief verschachtelt.")) from None
    raise FileProblem(_("Die JSON-Datei ist fehlerhaft."))


def read_json(text: str, entity: str | None) -> dict[str, list[Record]]:
    if not text.strip():
        raise FileProblem(_("Die Datei ist leer."))
    document, arrays = _load_json(text)
    if isinstance(document, list):
        if not entity:
            raise FileProblem(
                _(
                    "Die JSON-Datei ist eine Liste; bitte geben Sie an, was sie enthält "
                    "(organisations, people, offers oder needs)."
                )
            )
        selected = {entity: arrays.get("", [])}
    elif isinstance(document, dict):
        present = [name for name in ENTITIES if name in document]
        if not present:
            raise FileProblem(
                _(
                    "Die JSON-Datei enthält keine der Listen organisations, people, offers "
                    "oder needs."
                )
            )
        for name in present:
            if not isinstance(document[name], list):
                raise FileProblem(_("»%(name)s« muss eine Liste sein.") % {"name": name})
        if entity and entity not in present:
            raise FileProblem(
                _("Die JSON-Datei enthält keine Liste »%(name)s«.") % {"name": entity}
            )
        selected = {name: arrays.get(name, []) for name in ([entity] if entity else present)}
    else:
        raise FileProblem(_("Die JSON-Datei muss ein Objekt oder eine Liste enthalten."))
    result: dict[str, list[Record]] = {}
    for name, items in selected.items():
        records = []
        for position, (line, value) in enumerate(items, start=1):
            if isinstance(value, dict):
                values = {str(k).strip().lower(): v for k, v in value.items()}
            else:
                values = {"__error__": _("Der Eintrag ist kein JSON-Objekt.")}
            records.append(Record(line, values, position))
        result[name] = records
    return result


def parse(
    data: bytes,
    *,
    filename: str = "",
    entity: str | None = None,
    format: str | None = None,
    encoding: str | None = None,
) -> Parsed:
    """Decode and split ``data`` into records per entity."""
    if not data.strip():
        raise FileProblem(_("Die Datei ist leer."))
    text, used_encoding = decode(data, encoding)
    text = text.removeprefix("\ufeff")
    file_format = detect_format(text, filename=filename, format=format)
    parsed = Parsed(format=file_format, encoding=used_encoding)
    if file_format == "json":
        parsed.records = read_json(text, entity)
        return parsed
    entity = entity or entity_from_filename(filename)
    header, records = read_csv(text)
    if not entity:
        entity = _entity_from_header(header)
    parsed.records = {entity: records}
    parsed.columns = {entity: header}
    return parsed


def _entity_from_header(header: list[str]) -> str:
    columns = set(header)
    if columns & {"memberships", "expertise", "role_title", "bio"}:
        return "people"
    if "title" in columns or "organisation" in columns:
        raise FileProblem(
            _("Bitte geben Sie an, ob die Datei Angebote (offers) oder Bedarfe (needs) enthält.")
        )
    if "kind" in columns or "website" in columns:
        return "organisations"
    if "name" in columns:
        return "people"
    raise FileProblem(
        _("Bitte geben Sie an, was die Datei enthält (organisations, people, offers, needs).")
    )
