from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from lotse.ecosystem.models import Term, TermStatus, Vocabulary


@transaction.atomic
def suggest_term(*, vocabulary: str, name: str, suggested_by: Any) -> Term:
    """A member proposes a term; it becomes a facet only once a manager approves it."""
    name = " ".join(name.split())
    if vocabulary not in Vocabulary.values:
        raise ValidationError(_("Unbekanntes Vokabular."))
    slug = slugify(name.replace("ß", "ss"))[:80]
    if not slug:
        raise ValidationError(_("Bitte geben Sie eine Bezeichnung ein."))
    existing = Term.objects.filter(vocabulary=vocabulary, slug=slug).first()
    if existing is not None:
        return existing
    return Term.objects.create(
        vocabulary=vocabulary,
        slug=slug,
        name=name[:120],
        status=TermStatus.SUGGESTED,
        suggested_by=suggested_by,
        source="Vorschlag aus dem Netzwerk",
    )


@transaction.atomic
def decide_term(term: Term, *, approve: bool) -> Term:
    term.status = TermStatus.APPROVED if approve else TermStatus.REJECTED
    term.save(update_fields=["status"])
    return term


@transaction.atomic
def ensure_taxonomy() -> int:
    """Load the shipped vocabularies (data/taxonomy.json) where terms are missing.

    Migration 0002 does this on every installation; this function restores it
    after a database flush (tests) and returns how many terms it created.
    """
    import json
    from pathlib import Path

    data = Path(__file__).resolve().parent.parent / "data" / "taxonomy.json"
    created = 0
    for item in json.loads(data.read_text(encoding="utf-8"))["terms"]:
        _term, was_created = Term.objects.get_or_create(
            vocabulary=item["vocabulary"],
            slug=item["slug"],
            defaults={
                "name": item["name"],
                "name_en": item["name_en"],
                "position": item["position"],
                "source": item["source"],
                "status": TermStatus.APPROVED,
            },
        )
        created += was_created
    return created
