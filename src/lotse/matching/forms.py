from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lotse.ecosystem.models import DataResidency, NeedKind, OfferKind
from lotse.matching.domain import MAX_MESSAGE, MIN_MESSAGE
from lotse.matching.models import CollaborationKind

LANGUAGE_CHOICES = [("", _("alle")), ("de", _("Deutsch")), ("en", _("Englisch"))]
RESIDENCY_CHOICES = [
    ("", _("egal")),
    (DataResidency.EU_CLOUD.value, _("mindestens EU-Cloud")),
    (DataResidency.ON_PREMISE.value, _("nur On-Premise")),
]


class ListingFilterForm(forms.Form):
    """The filters a user controls on the suggestion pages (GET, never an error page)."""

    kind = forms.MultipleChoiceField(
        label=_("Art"), required=False, widget=forms.CheckboxSelectMultiple
    )
    residency = forms.ChoiceField(
        label=_("Datenhaltung"), required=False, choices=RESIDENCY_CHOICES
    )
    region = forms.CharField(label=_("Region"), required=False, max_length=100)
    language = forms.ChoiceField(label=_("Sprache"), required=False, choices=LANGUAGE_CHOICES)
    min_score = forms.IntegerField(
        label=_("Mindestpassung in %"), required=False, min_value=0, max_value=100
    )

    def __init__(self, *args: Any, entity: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.MultipleChoiceField)
        kind_field.choices = OfferKind.choices if entity == "offer" else NeedKind.choices


class IntroductionForm(forms.Form):
    message = forms.CharField(
        label=_("Ihre Nachricht"),
        min_length=MIN_MESSAGE,
        max_length=MAX_MESSAGE,
        widget=forms.Textarea,
        help_text=_(
            "Schreiben Sie, wer Sie sind und worum es geht. Ihre E-Mail-Adresse wird erst "
            "weitergegeben, wenn die andere Seite annimmt."
        ),
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("Was ist nicht in Ordnung?"), min_length=5, max_length=2000, widget=forms.Textarea
    )


class AllianceForm(forms.Form):
    description = forms.CharField(
        label=_("Kurzbeschreibung der Zusammenarbeit"), min_length=5, max_length=500
    )
    kind = forms.ChoiceField(
        label=_("Art der Zusammenarbeit"),
        choices=CollaborationKind.choices,
        initial=CollaborationKind.PROJECT,
    )
