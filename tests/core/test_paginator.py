"""KeysFirstPaginator: the same pages as Django's Paginator, fetched keys first."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, Value
from django.db.models.functions import Length

from lotse.core.paginator import KeysFirstPaginator
from lotse.ecosystem.domain.organisations import create_organisation
from lotse.ecosystem.models import Organisation, Term


@pytest.mark.django_db
def test_pages_equal_djangos_with_annotations_and_prefetches() -> None:
    for name in ["Alpha", "Bravo Studio", "Charlie", "Delta Medien GmbH", "Echo", "Fox"]:
        create_organisation(name=name, kind="agency", city="Hamburg")
    queryset = (
        Organisation.objects.annotate(rank=Length("name") * Value(-1), same=F("pk"))
        .order_by("rank", "name")
        .prefetch_related(Prefetch("topics", queryset=Term.objects.order_by("name")))
    )
    ours, django = KeysFirstPaginator(queryset, 2), Paginator(queryset, 2)
    assert ours.num_pages == django.num_pages == 3
    for number in (1, 2, 3):
        page, expected = ours.page(number), django.page(number)
        assert [o.name for o in page.object_list] == [o.name for o in expected.object_list]
        assert all(o.rank == -len(o.name) and o.same == o.pk for o in page.object_list)
        assert all("topics" in o._prefetched_objects_cache for o in page.object_list)
    assert [o.name for o in ours.page(1).object_list] == ["Delta Medien GmbH", "Bravo Studio"]
    assert ours.get_page(99).number == 3
