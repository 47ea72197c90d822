"""The ecosystem overview: figures for a small constructed network, page, map, queries."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lotse.ecosystem import charts, geo
from lotse.ecosystem import overview as reads
from lotse.ecosystem.domain.organisations import create_organisation
from lotse.ecosystem.models import (
    ListingStatus,
    Membership,
    Need,
    Offer,
    Organisation,
    Person,
    Term,
    Visibility,
)

URL = reverse("ecosystem:overview")
DIRECTORY = reverse("ecosystem:organisation_list")


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def _at(year: int, month: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, 15, 12, 0))


@pytest.fixture
def network(db: None, term: Callable[[str], Term]) -> dict[str, Any]:
    """Five organisations, four visible people (one hidden), offers and needs."""

    def org(name: str, kind: str, city: str, region: str, lat: float | None, lon: float | None,
            created: dt.datetime, **flags: Any) -> Organisation:
        organisation = create_organisation(
            name=name, kind=kind, city=city, region=region, latitude=lat, longitude=lon
        )
        Organisation.objects.filter(pk=organisation.pk).update(created_at=created, **flags)
        return organisation

    sector = Term.objects.filter(vocabulary="sector").order_by("position", "pk")
    capability = Term.objects.filter(vocabulary="capability").order_by("position", "pk")
    music, film = sector[0], sector[1]
    stt, translation = capability[0], capability[1]

    a = org("Alster KI", "ai_company", "Hamburg", "Hamburg", 53.55, 10.00, _at(2024, 2))
    b = org("Elbe Labs", "ai_company", "Hamburg", "Hamburg", 53.57, 9.96, _at(2024, 5))
    c = org("Isar Forschung", "research_institute", "München", "Bayern", 48.14, 11.58,
            _at(2024, 5))
    d = org("Spree Verlag", "media_house", "Berlin", "Berlin", 52.52, 13.40, _at(2025, 1),
            verified=True)
    e = org("Valley Bridge", "network", "San Francisco", "", 37.77, -122.42, _at(2025, 1))
    a.sectors.set([music])
    b.sectors.set([music, film])
    c.sectors.set([film])
    a.topics.set([stt, translation])
    b.topics.set([stt])
    d.topics.set([stt])

    def person(name: str, created: dt.datetime, *orgs: Organisation,
               visibility: str = Visibility.PUBLIC) -> Person:
        p = Person.objects.create(key=name.lower().replace(" ", "-"), name=name,
                                  visibility=visibility)
        Person.objects.filter(pk=p.pk).update(created_at=created)
        for o in orgs:
            Membership.objects.create(person=p, organisation=o)
        return p

    person("Anna Alster", _at(2024, 2), a)
    person("Ben Elbe", _at(2024, 8), b, c)
    person("Cara Isar", _at(2024, 8), c)
    person("Dora Spree", _at(2025, 2), d)
    person("Hidden Harry", _at(2025, 2), a, visibility=Visibility.HIDDEN)

    today = timezone.localdate()
    Offer.objects.create(key="o1", organisation=a, title="Untertitel", kind="product")
    Offer.objects.create(key="o2", organisation=b, title="Übersetzung", kind="service")
    Offer.objects.create(key="o3", organisation=b, title="Alt", kind="service",
                         expires_on=today - dt.timedelta(days=1))
    Offer.objects.create(key="o4", organisation=c, title="Entwurf", kind="research",
                         status=ListingStatus.DRAFT)
    Need.objects.create(key="n1", organisation=d, title="Partner gesucht", kind="partner")
    return {"orgs": [a, b, c, d, e], "music": music, "film": film, "stt": stt,
            "translation": translation}


def test_figures_for_a_small_network(network: dict[str, Any]) -> None:
    figures = reads.compute_figures(reads.OverviewFilter())
    totals = figures["totals"]
    assert totals["organisations"] == 5
    assert totals["people"] == 4  # the hidden profile is not counted
    assert totals["offers"] == 2  # expired and draft offers are not
    assert totals["needs"] == 1
    assert totals["verified"] == 1
    assert totals["cities"] == 4
    assert figures["kinds"] == [["ai_company", 2], ["media_house", 1], ["network", 1],
                                ["research_institute", 1]]
    assert figures["regions"] == [["Hamburg", 2], ["Bayern", 1], ["Berlin", 1]]
    sectors = {slug: n for slug, _name, _en, n in figures["sectors"]}
    assert sectors == {network["music"].slug: 2, network["film"].slug: 2}
    capabilities = {slug: n for slug, _name, _en, n in figures["capabilities"]}
    assert capabilities == {network["stt"].slug: 3, network["translation"].slug: 1}
    # Hamburg is one dot for two organisations, at their mean position.
    hamburg = next(row for row in figures["cities"] if row[0] == "Hamburg")
    assert hamburg == ["Hamburg", 2, 53.56, 9.98]
    people_by_kind = dict(map(tuple, figures["people_by_kind"]))
    assert people_by_kind == {"ai_company": 2, "research_institute": 2, "media_house": 1}
    assert dict(map(tuple, figures["offers_by_kind"])) == {"product": 1, "service": 1}
    assert dict(map(tuple, figures["needs_by_kind"])) == {"partner": 1}


def test_growth_is_cumulative_per_quarter(network: dict[str, Any]) -> None:
    growth = reads.compute_figures(reads.OverviewFilter())["growth"]
    by_quarter = {(year, q): rest for year, q, *rest in growth}
    assert by_quarter[(2024, 1)] == [1, 1, 1, 1]
    assert by_quarter[(2024, 2)] == [2, 3, 0, 1]
    assert by_quarter[(2024, 3)] == [0, 3, 2, 3]
    assert by_quarter[(2025, 1)] == [2, 5, 1, 4]
    # Quarters without news are there (no gaps), and the series runs to today.
    assert by_quarter[(2024, 4)] == [0, 3, 0, 3]
    today = timezone.localdate()
    assert growth[-1][:2] == [today.year, (today.month - 1) // 3 + 1]
    assert growth[-1][3] == 5
    assert growth[-1][5] == 4


def test_filter_by_kind_narrows_every_figure(network: dict[str, Any]) -> None:
    selection = reads.OverviewFilter.from_params(QueryDict("kind=ai_company&kind=bogus"))
    assert selection.kinds == ("ai_company",)
    figures = reads.compute_figures(selection)
    assert figures["totals"]["organisations"] == 2
    assert figures["totals"]["people"] == 2  # Anna and Ben; Harry is hidden
    assert figures["totals"]["offers"] == 2
    assert figures["totals"]["needs"] == 0
    assert figures["cities"] == [["Hamburg", 2, 53.56, 9.98]]
    region = reads.compute_figures(reads.OverviewFilter.from_params(QueryDict("region=Bayern")))
    assert region["totals"]["organisations"] == 1
    assert region["kinds"] == [["research_institute", 1]]


def test_headline_counts_like_seed_003(network: dict[str, Any]) -> None:
    figures = reads.compute_figures(reads.OverviewFilter())
    assert reads.headline(figures) == (
        "2 KI-Unternehmen, 1 Medienhaus oder Verlag, 1 Initiative oder Netzwerk "
        "und 1 Forschungsinstitut"
    )
    assert reads.kind_phrase("research_institute", 12000) == "12.000 Forschungsinstitute"


def test_figures_are_cached(network: dict[str, Any], django_assert_num_queries: Any) -> None:
    first = reads.get_figures()
    create_organisation(name="Neu", kind="startup")
    with django_assert_num_queries(0):
        assert reads.get_figures() == first
    reads.clear_cache()
    assert reads.get_figures()["totals"]["organisations"] == 6


def test_page_shows_charts_map_and_tables(network: dict[str, Any], client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 KI-Unternehmen, 1 Medienhaus oder Verlag" in html
    assert html.count('role="img"') >= 1  # the growth chart
    assert html.count("<svg") >= 8
    assert '<title id="chart-kinds-title">' in html
    assert '<desc id="chart-kinds-desc">' in html
    assert html.count("<details class=\"chart-data\">") >= 8
    # One dot per city inside the map; San Francisco is counted as outside.
    dots = re.findall(r'<a href="([^"]+)" class="dot-link" aria-label="([^"]+)">', html)
    assert len(dots) == 3
    hrefs = {label.split(":")[0]: href for href, label in dots}
    assert hrefs["Hamburg"] == f"{DIRECTORY}?city=Hamburg"
    assert "1 Organisation liegt außerhalb des Kartenausschnitts" in html
    # Sixteen Länder; Hamburg is shaded darkest.
    assert len(re.findall(r'<path class="state level-\d"', html)) == 16
    assert re.search(r'class="state level-4" data-state="HH"', html)
    # Bars link to the filtered directory.
    assert f'href="{DIRECTORY}?kind=ai_company"' in html
    # Strict CSP: no inline styles or scripts.
    assert " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "lotse/css/overview.css" in html


def test_map_links_filter_the_directory_by_city(network: dict[str, Any], client: Client) -> None:
    response = client.get(DIRECTORY, {"city": "Hamburg"})
    names = [o.name for o in response.context["page"].object_list]
    assert sorted(names) == ["Alster KI", "Elbe Labs"]
    assert 'name="city" value="Hamburg" checked' in response.content.decode()


def test_filter_form_works_without_javascript(network: dict[str, Any], client: Client) -> None:
    response = client.get(URL, {"kind": "research_institute"})
    html = response.content.decode()
    assert "In dieser Auswahl: 1 Forschungsinstitut." in html
    assert 'value="research_institute" checked' in html
    assert f'href="{DIRECTORY}?kind=research_institute&amp;sector=' in html
    assert "Filter zurücksetzen" in html


@pytest.mark.parametrize(
    "query", ["kind=%00", "region=" + "x" * 5000, "kind=ai_company&region=Nirgendwo", "page=abc"]
)
def test_bad_parameters_never_fail(network: dict[str, Any], client: Client, query: str) -> None:
    assert client.get(f"{URL}?{query}").status_code == 200


def test_empty_network_renders(db: None, client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    assert "noch keine Organisationen" in response.content.decode()


def test_query_count_is_bounded_and_independent_of_size(
    network: dict[str, Any], client: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(18):
        client.get(URL)
    for index in range(30):
        create_organisation(name=f"Mehr {index}", kind="startup", city=f"Ort {index}",
                            latitude=50 + index / 10, longitude=8 + index / 10)
    cache.clear()
    with django_assert_max_num_queries(18):
        assert client.get(URL).status_code == 200
    with django_assert_max_num_queries(2):  # cached: at most session/user look-ups
        assert client.get(URL).status_code == 200


def test_managers_see_the_stale_count(
    network: dict[str, Any], client: Client, manager: Any
) -> None:
    Organisation.objects.filter(name="Alster KI").update(
        last_confirmed=timezone.localdate() - dt.timedelta(days=800)
    )
    assert "länger nicht bestätigt" not in client.get(URL).content.decode()
    client.force_login(manager)
    html = client.get(URL).content.decode()
    assert "1 Profil ist länger nicht bestätigt worden." in html
    assert f'href="{DIRECTORY}?stale=1"' in html


def test_projection_puts_cities_in_place() -> None:
    base = geo.base_map()
    hamburg, munich = base.project(10.0, 53.55), base.project(11.58, 48.14)
    cologne, berlin = base.project(6.96, 50.94), base.project(13.40, 52.52)
    assert hamburg[1] < berlin[1] < cologne[1] < munich[1]  # north to south
    assert cologne[0] < hamburg[0] < munich[0] < berlin[0]  # west to east
    for x, y in (hamburg, munich, cologne, berlin):
        assert 0 < x < base.width
        assert 0 < y < base.height
    assert len(base.states) == 16
    assert base.neighbours
    assert not base.contains(-122.42, 37.77)


def test_chart_geometry() -> None:
    chart = charts.bar_chart("c", "T", "D", [("A", 10, "/a"), ("B", 5, "/b"), ("C", 0, "/c")])
    assert chart.bars[0].width == 2 * chart.bars[1].width
    assert chart.bars[2].width == 0
    assert charts.nice_step(95) == 20
    assert charts.nice_step(12000) == 5000
    line = charts.line_chart("l", "T", "D", ["Q1", "Q2", "Q3"],
                             [("a", "A", [0, 5, 10], ["x", "y", "z"])])
    points = line.series[0].points
    assert points[0].y == line.bottom
    assert points[-1].y < points[1].y < points[0].y
    assert charts.state_code("Bayern") == "BY"
    assert charts.state_code("by") == "BY"
    assert charts.state_code("Atlantis") is None


def test_alliance_hook(monkeypatch: pytest.MonkeyPatch, network: dict[str, Any]) -> None:
    import importlib
    import types

    fake = types.SimpleNamespace(
        overview_alliances=lambda user, *, kinds, regions: {"count": 3, "kinds": kinds}
    )
    real_import = importlib.import_module
    monkeypatch.setattr(reads.apps, "is_installed", lambda name: True)
    monkeypatch.setattr(
        reads.importlib, "import_module",
        lambda name: fake if name == "lotse.matching.selectors" else real_import(name),
    )
    contribution = reads.alliance_figures(None, reads.OverviewFilter(kinds=("startup",)))
    assert contribution is not None
    assert contribution.context == {"count": 3, "kinds": ("startup",)}
    monkeypatch.setattr(reads.importlib, "import_module", lambda name: types.SimpleNamespace())
    assert reads.alliance_figures(None, reads.OverviewFilter()) is None


def test_overview_is_linked_from_navigation(db: None, client: Client) -> None:
    assert f'href="{URL}"' in client.get("/").content.decode()
