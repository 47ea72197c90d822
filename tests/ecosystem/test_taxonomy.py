from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from lotse.ecosystem.domain.people import create_person
from lotse.ecosystem.domain.taxonomy import ensure_taxonomy, suggest_term
from lotse.ecosystem.models import Person, Term

pytestmark = pytest.mark.django_db


def test_migration_seeds_all_vocabularies_and_ensure_restores_them() -> None:
    counts = {
        v: Term.objects.filter(vocabulary=v).count() for v in ("capability", "sector", "use_case")
    }
    assert counts == {"capability": 16, "sector": 13, "use_case": 14}
    assert ensure_taxonomy() == 0  # nothing missing
    Term.objects.filter(vocabulary="sector").delete()
    assert ensure_taxonomy() == 13
    assert Term.objects.get(slug="soziokultur").name == "Soziokultur und Stadtteilkultur"


@pytest.mark.parametrize(
    ("call", "german", "english"),
    [
        (
            lambda: suggest_term(vocabulary="nope", name="Podcast", suggested_by=None),
            "Unbekanntes Vokabular.",
            "Unknown vocabulary.",
        ),
        (
            lambda: suggest_term(vocabulary="capability", name="  ?! ", suggested_by=None),
            "Bitte geben Sie eine Bezeichnung ein.",
            "Please enter a label.",
        ),
        (
            lambda: create_person(name="Ada", field_visibility={"shoe_size": "public"}),
            "Unbekanntes Feld für die Sichtbarkeit: shoe_size",
            "Unknown field for visibility: shoe_size",
        ),
        (
            lambda: create_person(name="Ada", field_visibility={"email": "everyone"}),
            "Unbekannte Sichtbarkeit: everyone",
            "Unknown visibility: everyone",
        ),
    ],
)
def test_domain_errors_speak_the_users_language(
    call: Callable[[], object], german: str, english: str
) -> None:
    with pytest.raises(ValidationError) as error:
        call()
    assert error.value.messages == [german]
    with translation.override("en"), pytest.raises(ValidationError) as error:
        call()
    assert error.value.messages == [english]
    assert not Person.objects.filter(name="Ada").exists()
