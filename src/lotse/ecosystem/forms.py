from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lotse.ecosystem.models import (
    Need,
    Offer,
    Organisation,
    Person,
    Term,
    TermStatus,
    Visibility,
    Vocabulary,
)

LANGUAGE_CHOICES = [
    ("de", _("Deutsch")),
    ("en", _("Englisch")),
    ("fr", _("Französisch")),
    ("es", _("Spanisch")),
    ("tr", _("Türkisch")),
    ("ar", _("Arabisch")),
    ("uk", _("Ukrainisch")),
    ("vi", _("Vietnamesisch")),
]


class TermMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Checkboxes labelled with the term's name in the active language."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.label)


def _terms(*vocabularies: str) -> Any:
    return Term.objects.filter(vocabulary__in=vocabularies, status=TermStatus.APPROVED).order_by(
        "vocabulary", "name"
    )


class OrganisationForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    topics = TermMultipleChoiceField(
        label=_("Themen"),
        queryset=_terms(Vocabulary.CAPABILITY, Vocabulary.USE_CASE),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sectors = TermMultipleChoiceField(
        label=_("Branchen"),
        queryset=_terms(Vocabulary.SECTOR),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Organisation
        fields = [
            "name", "kind", "short_description", "description", "website", "email",
            "street", "postcode", "city", "region", "country", "latitude", "longitude",
            "size_band", "founded_year", "logo", "topics", "sectors",
        ]

    def clean_logo(self) -> Any:
        logo = self.cleaned_data.get("logo")
        if logo and getattr(logo, "size", 0) > settings.LOTSE_MAX_LOGO_BYTES:
            raise ValidationError(_("Das Logo darf höchstens 1 MB groß sein."))
        return logo

    def clean_country(self) -> str:
        country = (self.cleaned_data.get("country") or "").upper()
        if len(country) != 2 or not country.isalpha():
            raise ValidationError(_("Bitte einen zweistelligen Ländercode angeben, z. B. DE."))
        return country

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None):
            raise ValidationError(_("Bitte Breiten- und Längengrad gemeinsam angeben."))
        if lat is not None and not -90 <= lat <= 90:
            self.add_error("latitude", _("Der Breitengrad liegt zwischen -90 und 90."))
        if lon is not None and not -180 <= lon <= 180:
            self.add_error("longitude", _("Der Längengrad liegt zwischen -180 und 180."))
        return data


class PersonForm(forms.ModelForm):
    expertise = TermMultipleChoiceField(
        label=_("Expertise"),
        queryset=_terms(Vocabulary.CAPABILITY, Vocabulary.USE_CASE, Vocabulary.SECTOR),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Sprachen"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Person
        fields = ["name", "role_title", "bio", "email", "phone", "city", "visibility"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["languages"] = list(self.instance.languages or [])
            self.initial["expertise"] = list(self.instance.expertise.all())
        labels = {
            "email": _("Sichtbarkeit der E-Mail"),
            "phone": _("Sichtbarkeit der Telefonnummer"),
            "role_title": _("Sichtbarkeit der Rolle"),
            "bio": _("Sichtbarkeit des Profiltexts"),
            "memberships": _("Sichtbarkeit der Organisationen"),
            "expertise": _("Sichtbarkeit der Expertise"),
        }
        for field_name in Person.PER_FIELD_VISIBILITY:
            self.fields[f"vis_{field_name}"] = forms.ChoiceField(
                label=labels[field_name],
                choices=Visibility.choices,
                initial=self.instance.visibility_of(field_name),
            )

    def field_visibility(self) -> dict[str, str]:
        return {
            field_name: self.cleaned_data[f"vis_{field_name}"]
            for field_name in Person.PER_FIELD_VISIBILITY
        }

    def visibility_fields(self) -> list[Any]:
        return [self[f"vis_{field_name}"] for field_name in Person.PER_FIELD_VISIBILITY]


class ListingForm(forms.ModelForm):
    topics = TermMultipleChoiceField(
        label=_("Themen"),
        queryset=_terms(Vocabulary.CAPABILITY, Vocabulary.USE_CASE),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sectors = TermMultipleChoiceField(
        label=_("Branchen"),
        queryset=_terms(Vocabulary.SECTOR),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Sprachen"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        fields = [
            "title", "kind", "description", "regional_scope", "data_residency",
            "expires_on", "status",
        ]
        widgets = {"expires_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["languages"] = list(self.instance.languages or [])
            self.initial["topics"] = list(self.instance.topics.all())
            self.initial["sectors"] = list(self.instance.sectors.all())


class OfferForm(ListingForm):
    class Meta(ListingForm.Meta):
        model = Offer


class NeedForm(ListingForm):
    class Meta(ListingForm.Meta):
        model = Need


class TermSuggestionForm(forms.Form):
    vocabulary = forms.ChoiceField(label=_("Vokabular"), choices=Vocabulary.choices)
    name = forms.CharField(label=_("Begriff"), max_length=120)
