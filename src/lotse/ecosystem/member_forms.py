"""Forms for members, invitations, claims and the management page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lotse.ecosystem.models import MembershipRole, OrganisationKind, Vocabulary

YES_NO_ANY = [("", _("alle")), ("yes", _("ja")), ("no", _("nein"))]


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("E-Mail-Adresse der Kollegin oder des Kollegen"), max_length=254
    )
    role = forms.ChoiceField(
        label=_("Rolle"), choices=MembershipRole.choices, initial=MembershipRole.MEMBER
    )


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Rolle"), choices=MembershipRole.choices)


class ClaimForm(forms.Form):
    message = forms.CharField(
        label=_("Begründung"),
        help_text=_(
            "Woran erkennt das Netzwerk-Management, dass Sie für diese Organisation "
            "sprechen? Zum Beispiel Ihre Funktion oder eine Adresse mit der Domain der "
            "Organisation."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
    )


class ClaimDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Entscheidung"),
        choices=[("approve", _("bestätigen")), ("reject", _("ablehnen"))],
    )
    verify = forms.BooleanField(label=_("Organisation zugleich verifizieren"), required=False)
    reason = forms.CharField(
        label=_("Begründung (wird der Person gemailt)"), required=False, max_length=2000
    )


class VerifyForm(forms.Form):
    verified = forms.BooleanField(required=False)


class TermAddForm(forms.Form):
    vocabulary = forms.ChoiceField(label=_("Vokabular"), choices=Vocabulary.choices)
    name = forms.CharField(label=_("Bezeichnung (Deutsch)"), max_length=120)
    name_en = forms.CharField(label=_("Bezeichnung (Englisch)"), max_length=120, required=False)


class TermRenameForm(forms.Form):
    name = forms.CharField(label=_("Bezeichnung (Deutsch)"), max_length=120)
    name_en = forms.CharField(label=_("Bezeichnung (Englisch)"), max_length=120, required=False)


class TermDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("freigeben")), ("reject", _("ablehnen"))])


class StaleFilterForm(forms.Form):
    q = forms.CharField(label=_("Name enthält"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Art"), required=False, choices=[("", _("alle")), *OrganisationKind.choices]
    )
    region = forms.CharField(label=_("Region"), required=False, max_length=100)
    reminded = forms.ChoiceField(
        label=_("Erinnerung verschickt"), required=False, choices=YES_NO_ANY
    )
    older_than_days = forms.IntegerField(
        label=_("Nicht bestätigt seit mindestens (Tagen)"),
        required=False,
        min_value=0,
        max_value=36500,
    )


class VerificationFilterForm(forms.Form):
    vq = forms.CharField(label=_("Organisation suchen"), required=False, max_length=200)
    verified = forms.ChoiceField(label=_("verifiziert"), required=False, choices=YES_NO_ANY)
