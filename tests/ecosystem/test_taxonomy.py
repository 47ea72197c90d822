from __future__ import annotations

import pytest

from lotse.ecosystem.domain.taxonomy import ensure_taxonomy
from lotse.ecosystem.models import Term

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
