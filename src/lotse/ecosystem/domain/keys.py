from __future__ import annotations

from django.db.models import Model
from django.utils.text import slugify


def unique_key(model: type[Model], base: str, *, max_length: int = 120) -> str:
    """A stable, unique slug for ``model.key`` derived from ``base``."""
    stem = (slugify(base.replace("ß", "ss"))[: max_length - 8] or "eintrag").strip("-")
    candidate = stem
    number = 2
    manager = model._default_manager
    while manager.filter(key=candidate).exists():
        candidate = f"{stem}-{number}"
        number += 1
    return candidate
