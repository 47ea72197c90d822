"""The upload form of the import page (managers only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

ENTITY_CHOICES = [
    ("", _("automatisch erkennen")),
    ("organisations", _("Organisationen")),
    ("people", _("Personen")),
    ("offers", _("Angebote")),
    ("needs", _("Bedarfe")),
]
ENCODING_CHOICES = [
    ("", _("automatisch (UTF-8, sonst Windows-1252)")),
    ("utf-8", "UTF-8"),
    ("cp1252", "Windows-1252"),
    ("latin-1", "ISO-8859-1 (Latin-1)"),
]


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Datei (CSV oder JSON)"),
        help_text=_("Format: siehe Dokumentation docs/import-format.md."),
    )
    entity = forms.ChoiceField(label=_("Inhalt"), choices=ENTITY_CHOICES, required=False)
    encoding = forms.ChoiceField(
        label=_("Zeichenkodierung"), choices=ENCODING_CHOICES, required=False
    )
    skip_invalid = forms.BooleanField(
        label=_("Fehlerhafte Zeilen überspringen und den Rest importieren"), required=False
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.LOTSE_MAX_IMPORT_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _(
                    "Die Datei ist %(size)s groß; erlaubt sind höchstens %(limit)s. "
                    "Teilen Sie die Datei auf oder importieren Sie sie auf der Kommandozeile "
                    "(lotse import)."
                ),
                code="too_large",
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            )
        if upload.size == 0:
            raise forms.ValidationError(_("Die Datei ist leer."), code="empty")
        return upload
