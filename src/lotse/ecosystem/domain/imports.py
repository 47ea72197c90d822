"""Import organisations, people, offers and needs from CSV or JSON.

Format: docs/import-format.md.  :func:`import_directory` reads and checks every
record first and reports every bad one with its line and reason.  By default a
file with one bad record imports nothing; ``skip_invalid=True`` imports the good
ones.  Writing happens in one transaction with bulk inserts and updates in
batches (no ``full_clean`` per row: the checks in ``importing.cleaning`` stand in
for it), so 100,000 organisations import in well under two minutes.
Re-importing updates records by their ``key``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, connections, models, router, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from lotse.ecosystem.importing import reading
from lotse.ecosystem.importing.cleaning import (
    CLEANERS,
    FieldError,
    MembershipEntry,
    TermResolver,
    split_many,
)
from lotse.ecosystem.importing.schema import COLUMNS, ENTITIES, MODELS, Column, normalise_entity
from lotse.ecosystem.models import Membership, MembershipRole, Organisation, Person

BATCH_SIZE = 2000
LOOKUP_CHUNK = 900  # stays below SQLite's limit of bound parameters
MAX_REPORTED_ERRORS = 10_000

#: Sent after a committed import: ``sender`` is the model, ``pks`` the ids written.
#: Bulk writes send no ``post_save``; listeners (e.g. a search index) use this.
directory_imported = Signal()

ENTITY_LABELS = {
    "organisations": "Organisationen",
    "people": "Personen",
    "offers": "Angebote",
    "needs": "Bedarfe",
}


class Progress:
    """Receives progress; the CLI shows it as a tqdm bar.  The default does nothing."""

    def start(self, stage: str, total: int) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass


@dataclass
class RowError:
    entity: str | None
    line: int | None
    message: str
    key: str = ""
    column: str = ""

    def __str__(self) -> str:
        where = _("Zeile %(line)s") % {"line": self.line} if self.line else _("Datei")
        if self.entity:
            where = f"{self.entity}, {where}"
        column = f" [{self.column}]" if self.column else ""
        key = f" ({self.key})" if self.key else ""
        return f"{where}{key}{column}: {self.message}"


@dataclass
class EntityResult:
    total: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0


@dataclass
class ImportReport:
    format: str = ""
    encoding: str = ""
    dry_run: bool = False
    skip_invalid: bool = False
    results: dict[str, EntityResult] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    file_errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error_count: int = 0
    committed: bool = False

    @property
    def invalid_rows(self) -> int:
        return sum(result.skipped for result in self.results.values())

    @property
    def ok(self) -> bool:
        """Whether the file can be (or was) imported with the chosen options."""
        if self.file_errors:
            return False
        return self.skip_invalid or not self.errors

    @property
    def created(self) -> int:
        return sum(result.created for result in self.results.values())

    @property
    def updated(self) -> int:
        return sum(result.updated for result in self.results.values())

    def all_errors(self) -> list[RowError]:
        return [*self.file_errors, *self.errors]

    def summary(self) -> str:
        parts = []
        shown = {name: r for name, r in self.results.items() if r.total} or self.results
        for entity, result in shown.items():
            parts.append(
                _("%(entity)s: %(created)s neu, %(updated)s aktualisiert, %(skipped)s übersprungen")
                % {
                    "entity": ENTITY_LABELS.get(entity, entity),
                    "created": result.created,
                    "updated": result.updated,
                    "skipped": result.skipped,
                }
            )
        return "; ".join(parts)


class ImportFailed(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__(report.summary())
        self.report = report


@dataclass
class Row:
    entity: str
    line: int
    key: str
    values: dict[str, Any]
    terms: dict[str, list[int]] = field(default_factory=dict)
    memberships: list[MembershipEntry] | None = None
    organisation: str = ""
    contact: str | None = None  # None: column absent
    pk: int | None = None


# --- Checking -----------------------------------------------------------------------


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing(model: type[models.Model], keys: Iterable[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    unique = sorted(set(keys))
    for chunk in _chunks(unique, LOOKUP_CHUNK):
        found.update(model._default_manager.filter(key__in=chunk).values_list("key", "pk"))
    return found


class _Checker:
    def __init__(self, report: ImportReport, progress: Progress) -> None:
        self.report = report
        self.progress = progress
        self.terms = TermResolver()
        self.rows: dict[str, list[Row]] = {}
        self.bad_keys: dict[str, dict[str, int]] = defaultdict(dict)  # entity → key → line

    def error(
        self, entity: str, line: int | None, message: str, *, key: str = "", column: str = ""
    ) -> None:
        self.report.error_count += 1
        if len(self.report.errors) < MAX_REPORTED_ERRORS:
            self.report.errors.append(RowError(entity, line, message, key=key, column=column))

    def check_entity(
        self, entity: str, records: list[reading.Record], header: list[str] | None
    ) -> None:
        columns = {column.name: column for column in COLUMNS[entity]}
        if header is not None:
            unknown = [name for name in header if name not in columns]
            if unknown:
                self.report.warnings.append(
                    _("%(entity)s: unbekannte Spalten werden ignoriert: %(columns)s")
                    % {"entity": ENTITY_LABELS[entity], "columns": ", ".join(unknown)}
                )
        model = MODELS[entity]
        keys = [str(record.values.get("key") or "").strip() for record in records]
        existing = _existing(model, [key for key in keys if key])
        result = self.report.results.setdefault(entity, EntityResult())
        result.total = len(records)
        seen: dict[str, int] = {}
        good: list[Row] = []
        required = [column for column in COLUMNS[entity] if column.required]
        for record in records:
            row = self._check_record(entity, record, columns, required, existing, seen)
            if row is None:
                result.skipped += 1
            else:
                good.append(row)
            self.progress.advance()
        self.rows[entity] = good

    def _check_record(
        self,
        entity: str,
        record: reading.Record,
        columns: dict[str, Column],
        required: list[Column],
        existing: dict[str, int],
        seen: dict[str, int],
    ) -> Row | None:
        values = record.values
        line = record.line
        if "__error__" in values:
            self.error(entity, line, values["__error__"])
            return None
        ok = True
        key = ""
        try:
            key = CLEANERS["key"](values.get("key"), columns["key"])
        except FieldError as problem:
            self.error(entity, line, problem.message, column="key")
            ok = False
        if key:
            if key in seen:
                self.error(
                    entity,
                    line,
                    _("Der Schlüssel »%(key)s« steht schon in Zeile %(line)s.")
                    % {"key": key, "line": seen[key]},
                    key=key,
                    column="key",
                )
                self.bad_keys[entity].setdefault(key, line)
                return None
            seen[key] = line
        row = Row(entity, line, key, {}, pk=existing.get(key))
        for name, raw in values.items():
            column = columns.get(name)
            if column is None or name == "key":
                continue
            try:
                value: Any = (
                    CLEANERS[column.kind](raw, column) if column.kind != "terms" else None
                )
                if column.kind == "terms":
                    row.terms[name] = self.terms.resolve(split_many(raw), column.vocabularies)
                elif column.kind == "memberships":
                    row.memberships = value
                elif column.kind == "organisation":
                    row.organisation = value
                elif column.kind == "person":
                    row.contact = value
                else:
                    row.values[name] = value
            except FieldError as problem:
                self.error(entity, line, problem.message, key=key, column=name)
                ok = False
        if row.pk is None:
            for column in required:
                if column.name != "key" and column.name not in values:
                    self.error(
                        entity,
                        line,
                        _("Pflichtfeld »%(column)s« fehlt (neuer Eintrag).")
                        % {"column": column.name},
                        key=key,
                        column=column.name,
                    )
                    ok = False
        latitude, longitude = row.values.get("latitude"), row.values.get("longitude")
        if ("latitude" in row.values) != ("longitude" in row.values) or (
            (latitude is None) != (longitude is None)
        ):
            self.error(
                entity,
                line,
                _("Breiten- und Längengrad gehören zusammen: bitte beide angeben oder keinen."),
                key=key,
                column="latitude",
            )
            ok = False
        if not ok:
            if key:
                self.bad_keys[entity].setdefault(key, line)
            return None
        return row

    def check_references(self) -> None:
        """People and listings may only name organisations (and contacts) that exist."""
        self._resolve(
            "organisations",
            Organisation,
            [
                (row, entry.organisation)
                for row in self.rows.get("people", [])
                for entry in row.memberships or []
            ]
            + [
                (row, row.organisation)
                for entity in ("offers", "needs")
                for row in self.rows.get(entity, [])
                if row.organisation
            ],
            column_of={"people": "memberships", "offers": "organisation", "needs": "organisation"},
            label=_("Organisation"),
        )
        self._resolve(
            "people",
            Person,
            [
                (row, row.contact)
                for entity in ("offers", "needs")
                for row in self.rows.get(entity, [])
                if row.contact
            ],
            column_of={"offers": "contact", "needs": "contact"},
            label=_("Person"),
        )

    def _resolve(
        self,
        target: str,
        model: type[models.Model],
        references: list[tuple[Row, str]],
        *,
        column_of: dict[str, str],
        label: str,
    ) -> None:
        if not references:
            return
        in_file = {row.key for row in self.rows.get(target, [])}
        missing = {key for _row, key in references if key not in in_file}
        known = in_file | set(_existing(model, missing))
        rejected: set[int] = set()
        for row, key in references:
            if key in known:
                continue
            bad_line = self.bad_keys[target].get(key)
            if bad_line is not None:
                message = _(
                    "%(label)s »%(key)s« ist in dieser Datei fehlerhaft (Zeile %(line)s)."
                ) % {"label": label, "key": key, "line": bad_line}
            else:
                message = _("Unbekannte %(label)s »%(key)s«.") % {"label": label, "key": key}
            self.error(row.entity, row.line, message, key=row.key, column=column_of[row.entity])
            if id(row) not in rejected:
                rejected.add(id(row))
                self.bad_keys[row.entity].setdefault(row.key, row.line)
        for entity in list(self.rows):
            kept = [row for row in self.rows[entity] if id(row) not in rejected]
            removed = len(self.rows[entity]) - len(kept)
            if removed:
                self.rows[entity] = kept
                self.report.results[entity].skipped += removed


# --- Writing ------------------------------------------------------------------------


def _through(model: type[models.Model], name: str) -> tuple[type[models.Model], str, str]:
    descriptor = getattr(model, name)
    relation = descriptor.field
    return (
        descriptor.through,
        f"{relation.m2m_field_name()}_id",
        f"{relation.m2m_reverse_field_name()}_id",
    )


class _Writer:
    def __init__(self, report: ImportReport, progress: Progress) -> None:
        self.report = report
        self.progress = progress
        self.now = timezone.now()
        self.written: dict[str, list[int]] = defaultdict(list)

    def write(self, entity: str, rows: list[Row]) -> None:
        model = MODELS[entity]
        result = self.report.results[entity]
        org_ids: dict[str, int] = {}
        person_ids: dict[str, int] = {}
        if entity in {"offers", "needs"}:
            org_ids = _existing(
                Organisation, {row.organisation for row in rows if row.organisation}
            )
            person_ids = _existing(Person, {row.contact for row in rows if row.contact})
        for batch in _chunks(rows, BATCH_SIZE):
            for row in batch:
                if entity in {"offers", "needs"}:
                    if row.organisation:
                        row.values["organisation_id"] = org_ids[row.organisation]
                    if row.contact is not None:
                        row.values["contact_id"] = (
                            person_ids.get(row.contact) if row.contact else None
                        )
            new = [row for row in batch if row.pk is None]
            old = [row for row in batch if row.pk is not None]
            self._create(model, new)
            self._update(model, old)
            result.created += len(new)
            result.updated += len(old)
            self._set_terms(model, batch, replace=[row.pk for row in old if row.pk is not None])
            if entity == "people":
                self._set_memberships(batch)
            self.written[entity].extend(row.pk for row in batch if row.pk is not None)
            self.progress.advance(len(batch))

    def _prepare_new(self, model: type[models.Model], row: Row) -> dict[str, Any]:
        values = {
            name: value
            for name, value in row.values.items()
            if not _keep_default(model, name, value)
        }
        if values.get("verified"):
            values["verified_at"] = self.now
        return values

    def _create(self, model: type[models.Model], rows: list[Row]) -> None:
        if not rows:
            return
        objects = [model(key=row.key, **self._prepare_new(model, row)) for row in rows]
        model._default_manager.bulk_create(objects, batch_size=500)
        if any(
            obj.pk is None for obj in objects
        ):  # pragma: no cover - old SQLite without RETURNING
            ids = _existing(model, [row.key for row in rows])
            for row in rows:
                row.pk = ids[row.key]
        else:
            for row, obj in zip(rows, objects, strict=True):
                row.pk = obj.pk

    def _update(self, model: type[models.Model], rows: list[Row]) -> None:
        if not rows:
            return
        current = model._default_manager.in_bulk([row.pk for row in rows])
        groups: dict[tuple[str, ...], list[models.Model]] = defaultdict(list)
        for row in rows:
            obj = current[row.pk]
            names = []
            for name, value in row.values.items():
                if _keep_default(model, name, value):
                    continue
                if name == "verified":
                    if value and not obj.verified:  # type: ignore[attr-defined]
                        obj.verified_at = self.now  # type: ignore[attr-defined]
                    elif not value:
                        obj.verified_at = None  # type: ignore[attr-defined]
                        obj.verified_by = None  # type: ignore[attr-defined]
                    names += ["verified_at", "verified_by"]
                setattr(obj, name, value)
                names.append(name)
            obj.updated_at = self.now  # type: ignore[attr-defined]
            names.append("updated_at")
            groups[tuple(sorted(set(names)))].append(obj)
        for fields, objects in groups.items():
            _update_rows(model, objects, fields)

    def _set_terms(
        self, model: type[models.Model], rows: Sequence[Row], *, replace: list[int]
    ) -> None:
        names = {name for row in rows for name in row.terms}
        for name in sorted(names):
            through, source, target = _through(model, name)
            touched = [row for row in rows if name in row.terms]
            replaced = set(replace)
            _replace_links(
                through,
                source,
                target,
                [row.pk for row in touched if row.pk in replaced],
                [(row.pk, term_id) for row in touched for term_id in row.terms[name]],
            )

    def _set_memberships(self, rows: Sequence[Row]) -> None:
        touched = [row for row in rows if row.memberships is not None]
        if not touched:
            return
        org_ids = _existing(
            Organisation, {entry.organisation for row in touched for entry in row.memberships or []}
        )
        person_ids = [row.pk for row in touched]
        current: dict[tuple[int, int], Membership] = {
            (membership.person_id, membership.organisation_id): membership
            for membership in Membership.objects.filter(person_id__in=person_ids)
        }
        wanted: set[tuple[int, int]] = set()
        create: list[Membership] = []
        update: list[Membership] = []
        for row in touched:
            assert row.pk is not None
            for entry in row.memberships or []:
                pair = (row.pk, org_ids[entry.organisation])
                wanted.add(pair)
                membership = current.get(pair)
                if membership is None:
                    create.append(
                        Membership(
                            person_id=row.pk,
                            organisation_id=pair[1],
                            role=entry.role or MembershipRole.MEMBER,
                            title=entry.title,
                        )
                    )
                elif (
                    entry.role and entry.role != membership.role
                ) or entry.title != membership.title:
                    membership.role = entry.role or membership.role
                    membership.title = entry.title
                    update.append(membership)
        stale = [membership.pk for pair, membership in current.items() if pair not in wanted]
        if stale:
            Membership.objects.filter(pk__in=stale).delete()
        Membership.objects.bulk_create(create, batch_size=1000)
        if update:
            Membership.objects.bulk_update(update, ["role", "title"], batch_size=500)


def _replace_links(
    through: type[models.Model],
    source: str,
    target: str,
    clear: list[Any],
    pairs: list[tuple[Any, int]],
) -> None:
    """Many-to-many rows with plain SQL: model instances cost more than the insert."""
    connection = connections[router.db_for_write(through)]
    opts = through._meta
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    source_field: Any = opts.get_field(source)
    target_field: Any = opts.get_field(target)
    source_column, target_column = quote(source_field.column), quote(target_field.column)
    with connection.cursor() as cursor:
        for chunk in _chunks(clear, LOOKUP_CHUNK):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"DELETE FROM {table} WHERE {source_column} IN ({marks})",  # noqa: S608
                list(chunk),
            )
        if pairs:
            cursor.executemany(
                f"INSERT INTO {table} ({source_column}, {target_column}) "  # noqa: S608
                "VALUES (%s, %s)",
                pairs,
            )


def _update_rows(model: type[models.Model], objects: list[Any], names: Sequence[str]) -> None:
    """One prepared ``UPDATE ... WHERE pk = %s`` run with ``executemany``.

    ``QuerySet.bulk_update`` builds a CASE expression per field and row; for
    thousands of rows that costs far more time than the update itself.
    """
    connection = connections[router.db_for_write(model)]
    opts = model._meta
    fields: list[Any] = [opts.get_field(name) for name in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = (
        f"UPDATE {quote(opts.db_table)} SET {assignments} "  # noqa: S608 - names from _meta
        f"WHERE {quote(opts.pk.column)} = %s"
    )
    params = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields]
        + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _keep_default(model: type[models.Model], name: str, value: Any) -> bool:
    """An empty cell for a field that cannot be empty keeps the default (or current) value."""
    if value is not None and value != "":
        return False
    model_field: Any = model._meta.get_field(name)
    return not (model_field.null if value is None else model_field.blank)


# --- Entry point --------------------------------------------------------------------


def import_directory(
    data: bytes,
    *,
    filename: str = "",
    entity: str | None = None,
    format: str | None = None,
    encoding: str | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Check ``data`` and, unless it has errors (or ``skip_invalid``), import it.

    Never raises for bad input: everything wrong is in the returned report
    (``report.ok``, ``report.errors``, ``report.file_errors``); ``report.committed``
    tells whether anything was written.
    """
    progress = progress or Progress()
    report = ImportReport(dry_run=dry_run, skip_invalid=skip_invalid)
    chosen = normalise_entity(entity)
    if entity and chosen is None:
        report.file_errors.append(
            RowError(None, None, _("Unbekannte Art von Einträgen: %(entity)s") % {"entity": entity})
        )
        return report
    try:
        parsed = reading.parse(
            data, filename=filename, entity=chosen, format=format, encoding=encoding
        )
    except reading.FileProblem as problem:
        report.file_errors.append(RowError(None, problem.line, problem.message))
        return report
    report.format, report.encoding = parsed.format, parsed.encoding

    checker = _Checker(report, progress)
    progress.start("check", parsed.total)
    for name in ENTITIES:
        if name in parsed.records:
            checker.check_entity(name, parsed.records[name], parsed.columns.get(name))
    checker.check_references()
    progress.finish()
    if not report.ok or dry_run:
        if dry_run:
            _count_planned(report, checker.rows)
        return report
    if not any(checker.rows.values()):
        return report

    writer = _Writer(report, progress)
    progress.start("write", sum(len(rows) for rows in checker.rows.values()))
    try:
        with transaction.atomic():
            for name in ENTITIES:
                if checker.rows.get(name):
                    writer.write(name, checker.rows[name])
            transaction.on_commit(lambda: _announce(writer.written))
    except DatabaseError as error:
        for result in report.results.values():
            result.created = result.updated = 0
        report.file_errors.append(
            RowError(
                None,
                None,
                _(
                    "Die Datenbank hat den Import abgelehnt; "
                    "es wurde nichts gespeichert (%(error)s)."
                )
                % {"error": str(error)[:300]},
            )
        )
        return report
    finally:
        progress.finish()
    report.committed = True
    return report


def _count_planned(report: ImportReport, rows: dict[str, list[Row]]) -> None:
    for name, entity_rows in rows.items():
        result = report.results[name]
        result.created = sum(1 for row in entity_rows if row.pk is None)
        result.updated = len(entity_rows) - result.created


def _announce(written: dict[str, list[int]]) -> None:
    for name, pks in written.items():
        if pks:
            directory_imported.send(sender=MODELS[name], pks=list(pks))
