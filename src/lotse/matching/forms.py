from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lotse.ecosystem.models import (
    DataResidency,
    NeedKind,
    OfferKind,
    Term,
    TermStatus,
    Vocabulary,
)
from lotse.matching.domain import MAX_MESSAGE, MIN_MESSAGE
from lotse.matching.models import CollaborationKind, FundingRole, FundingStage

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


class FundingProfileForm(forms.Form):
    """Financing data of a start-up or an investor (for the start-up ↔ investor matching)."""

    role = forms.ChoiceField(label=_("Rolle"), choices=FundingRole.choices)
    stages = forms.MultipleChoiceField(
        label=_("Phase(n)"),
        choices=FundingStage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Start-up: genau die aktuelle Phase; Investor: alle Phasen, in die Sie investieren."
        ),
    )
    amount_sought_eur = forms.IntegerField(
        label=_("Gesuchter Betrag (EUR)"), required=False, min_value=0, max_value=10**12
    )
    ticket_min_eur = forms.IntegerField(
        label=_("Ticket ab (EUR)"), required=False, min_value=0, max_value=10**12
    )
    ticket_max_eur = forms.IntegerField(
        label=_("Ticket bis (EUR)"), required=False, min_value=0, max_value=10**12
    )
    sectors = forms.ModelMultipleChoiceField(
        label=_("Branchen von Interesse (Investor)"),
        queryset=Term.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    regions = forms.CharField(
        label=_("Regionen von Interesse (Investor)"),
        required=False,
        max_length=500,
        help_text=_("Durch Kommas getrennt, z. B. „Hamburg, Schleswig-Holstein“; leer: überall."),
    )
    active = forms.BooleanField(label=_("Profil ist aktiv"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sectors = self.fields["sectors"]
        assert isinstance(sectors, forms.ModelMultipleChoiceField)
        sectors.queryset = Term.objects.filter(
            vocabulary=Vocabulary.SECTOR, status=TermStatus.APPROVED
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") == FundingRole.STARTUP and len(data.get("stages") or []) > 1:
            self.add_error("stages", _("Ein Start-up wählt genau eine aktuelle Phase."))
        low, high = data.get("ticket_min_eur"), data.get("ticket_max_eur")
        if low is not None and high is not None and low > high:
            self.add_error(
                "ticket_max_eur", _("Das Höchstticket ist kleiner als das Mindestticket.")
            )
        data["region_list"] = [
            r.strip() for r in (data.get("regions") or "").split(",") if r.strip()
        ]
        return data
