"""Taxonomy curation by network managers: add and rename terms.

Approving or rejecting suggestions is :func:`lotse.ecosystem.domain.taxonomy.decide_term`.
A rename keeps the slug, so filters in shared URLs and import files keep working.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from lotse.ecosystem.models import Term, TermStatus, Vocabulary


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Bitte geben Sie eine Bezeichnung ein.")})
    if len(name) > 120:
        raise ValidationError({"name": _("Die Bezeichnung darf höchstens 120 Zeichen lang sein.")})
    return name


@transaction.atomic
def add_term(
    *, vocabulary: str, name: str, name_en: str = "", description: str = "", added_by: Any = None
) -> Term:
    """Add an approved term; an existing suggestion or rejected term with that slug is approved."""
    if vocabulary not in Vocabulary.values:
        raise ValidationError({"vocabulary": _("Unbekanntes Vokabular.")})
    name = _clean_name(name)
    slug = slugify(name.replace("ß", "ss"))[:80]
    if not slug:
        raise ValidationError({"name": _("Die Bezeichnung braucht Buchstaben oder Ziffern.")})
    term = Term.objects.select_for_update().filter(vocabulary=vocabulary, slug=slug).first()
    if term is not None:
        if term.status == TermStatus.APPROVED:
            raise ValidationError(
                {"name": _("Diesen Begriff gibt es in diesem Vokabular bereits.")}
            )
        term.status = TermStatus.APPROVED
        term.name = name
        term.name_en = name_en or term.name_en
        term.save(update_fields=["status", "name", "name_en"])
        return term
    position = Term.objects.filter(vocabulary=vocabulary).aggregate(m=Max("position"))["m"] or 0
    return Term.objects.create(
        vocabulary=vocabulary,
        slug=slug,
        name=name,
        name_en=(name_en or "").strip()[:120],
        description=description,
        status=TermStatus.APPROVED,
        source="Netzwerk-Management",
        position=position + 1,
    )


@transaction.atomic
def rename_term(term: Term, *, name: str, name_en: str | None = None) -> Term:
    term.name = _clean_name(name)
    fields = ["name"]
    if name_en is not None:
        term.name_en = " ".join(name_en.split())[:120]
        fields.append("name_en")
    term.save(update_fields=fields)
    return term
