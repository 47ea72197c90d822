"""Search index tables and the synonyms that managers maintain.

The full-text part of the index is not a Django model: on SQLite an FTS5
virtual table ``search_fts`` (external content = ``search_searchdocument``,
kept in sync by triggers), on PostgreSQL a generated ``tsvector`` column
``tsv`` on ``search_searchdocument`` with a GIN index.  Both are created by
migration 0002 for the database in use.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Synonym(models.Model):
    """One group of equivalent phrases, e.g. ``KI | AI | künstliche Intelligenz``."""

    phrases = models.CharField(
        _("Gleichbedeutende Begriffe"),
        max_length=500,
        help_text=_("Begriffe durch „|“ getrennt, z. B. „KI | AI | künstliche Intelligenz“."),
    )
    active = models.BooleanField(_("aktiv"), default=True)
    note = models.CharField(_("Notiz"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    class Meta:
        verbose_name = _("Synonymgruppe")
        verbose_name_plural = _("Synonymgruppen")
        ordering = ["phrases"]

    def __str__(self) -> str:
        return self.phrases

    def phrase_list(self) -> list[str]:
        return [p.strip() for p in self.phrases.split("|") if p.strip()]


class SearchDocument(models.Model):
    """One indexed directory entity (organisation, person, offer, need)."""

    entity_type = models.CharField(max_length=20)
    entity_pk = models.BigIntegerField()
    key = models.CharField(max_length=120)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True, help_text="Original text for snippets.")
    title_tokens = models.TextField(blank=True)
    body_tokens = models.TextField(blank=True)
    title_words = models.TextField(blank=True, help_text="Folded, unstemmed title words.")
    embedding = models.BinaryField(null=True, blank=True)
    members_only = models.BooleanField(default=False)
    facets = models.TextField(
        null=True,
        blank=True,
        help_text="Facet values, 'lookup=value' tokens split by U+001F; NULL: not computed.",
    )
    revision = models.BigIntegerField(default=0, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Suchindex-Eintrag")
        verbose_name_plural = _("Suchindex-Einträge")
        constraints = [
            models.UniqueConstraint(fields=["entity_type", "entity_pk"], name="searchdoc_unique"),
        ]
        indexes = [models.Index(fields=["entity_type", "key"])]

    def __str__(self) -> str:
        return f"{self.entity_type}:{self.key}"


class SearchTerm(models.Model):
    """The index vocabulary (stems) for typo tolerance and compound splitting."""

    term = models.CharField(max_length=100, primary_key=True)
    df = models.PositiveIntegerField(default=1)
    revision = models.BigIntegerField(default=0, db_index=True)

    class Meta:
        verbose_name = _("Suchbegriff")
        verbose_name_plural = _("Suchbegriffe")

    def __str__(self) -> str:
        return self.term
