"""Keep the index in step with the directory: every change is indexed on commit.

Signal handlers only collect (entity type, pk) pairs per transaction; one
``transaction.on_commit`` callback per transaction hands them to
:func:`lotse.search.tasks.schedule_index_update`, which enqueues a django-tasks
job (run at once by the immediate backend, by ``lotse worker`` in production).
"""

from __future__ import annotations

import threading
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import signals

from . import analysis
from .documents import MODEL_NAMES, type_of

_pending = threading.local()


def _block_marker() -> int | None:
    conn = transaction.get_connection()
    return id(conn.atomic_blocks[0]) if conn.in_atomic_block and conn.atomic_blocks else None


def _queue(entity_type: str, pk: Any) -> None:
    if pk is None:
        return
    marker = _block_marker()
    batch: set[tuple[str, int]] | None = getattr(_pending, "batch", None)
    if batch is None or getattr(_pending, "marker", None) != marker:
        # A new transaction (an earlier one may have rolled back: its batch is dropped).
        fresh: set[tuple[str, int]] = set()
        batch = fresh
        _pending.batch, _pending.marker = batch, marker

        def flush(batch: set[tuple[str, int]] = fresh) -> None:
            from .tasks import schedule_index_update

            if getattr(_pending, "batch", None) is batch:
                _pending.batch = None
            schedule_index_update(sorted(batch))

        batch.add((entity_type, int(pk)))
        transaction.on_commit(flush)
        return
    batch.add((entity_type, int(pk)))


def _entity_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    entity_type = type_of(sender)
    if entity_type:
        _queue(entity_type, instance.pk)


def _m2m_changed(
    sender: Any, instance: Any, action: str, model: Any, pk_set: Any, **kw: Any
) -> None:
    if not action.startswith("post_"):
        return
    entity_type = type_of(type(instance))
    if entity_type:
        _queue(entity_type, instance.pk)
    other = type_of(model)
    if other and pk_set:
        for pk in pk_set:
            _queue(other, pk)


def _membership_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    _queue("person", instance.person_id)


def _organisation_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    # Offers, needs and people show the organisation's name.
    for offer_pk in instance.offers.values_list("pk", flat=True):
        _queue("offer", offer_pk)
    for need_pk in instance.needs.values_list("pk", flat=True):
        _queue("need", need_pk)
    for person_pk in instance.memberships.values_list("person_id", flat=True):
        _queue("person", person_pk)


def _term_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    analysis.bump_version()
    if kwargs.get("created"):
        return
    for pk in instance.organisations.values_list("pk", flat=True):
        _queue("organisation", pk)
    for pk in instance.sector_organisations.values_list("pk", flat=True):
        _queue("organisation", pk)
    for pk in instance.experts.values_list("pk", flat=True):
        _queue("person", pk)
    for pk in instance.offers.values_list("pk", flat=True):
        _queue("offer", pk)
    for pk in instance.needs.values_list("pk", flat=True):
        _queue("need", pk)


# An import larger than this is left to ``lotse reindex`` (the import says so),
# so a 100,000-row import is not followed by minutes of inline embedding.
IMPORT_INDEX_LIMIT = 5000


def _directory_imported(sender: Any, pks: list[int], **kwargs: Any) -> None:
    """Bulk imports send no save signals; index what they wrote."""
    entity_type = type_of(sender)
    if not entity_type or len(pks) > IMPORT_INDEX_LIMIT:
        return
    for pk in pks:
        _queue(entity_type, pk)


def _synonym_changed(sender: Any, **kwargs: Any) -> None:
    transaction.on_commit(analysis.bump_version)


def connect() -> None:
    for name in MODEL_NAMES.values():
        model = apps.get_model("ecosystem", name)
        uid = f"lotse.search.{name}"
        signals.post_save.connect(_entity_saved, sender=model, dispatch_uid=uid + ".save")
        signals.post_delete.connect(_entity_saved, sender=model, dispatch_uid=uid + ".delete")
    organisation = apps.get_model("ecosystem", "Organisation")
    signals.post_save.connect(
        _organisation_saved, sender=organisation, dispatch_uid="lotse.search.org.related"
    )
    membership = apps.get_model("ecosystem", "Membership")
    signals.post_save.connect(_membership_changed, sender=membership, dispatch_uid="ls.m.save")
    signals.post_delete.connect(_membership_changed, sender=membership, dispatch_uid="ls.m.del")
    term = apps.get_model("ecosystem", "Term")
    signals.post_save.connect(_term_saved, sender=term, dispatch_uid="lotse.search.term")
    signals.post_delete.connect(_term_saved, sender=term, dispatch_uid="lotse.search.term.del")
    signals.m2m_changed.connect(_m2m_changed, dispatch_uid="lotse.search.m2m")
    from lotse.ecosystem.domain.imports import directory_imported

    directory_imported.connect(_directory_imported, dispatch_uid="lotse.search.import")
    synonym = apps.get_model("search", "Synonym")
    signals.post_save.connect(_synonym_changed, sender=synonym, dispatch_uid="ls.syn.save")
    signals.post_delete.connect(_synonym_changed, sender=synonym, dispatch_uid="ls.syn.del")
