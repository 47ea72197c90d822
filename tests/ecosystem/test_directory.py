"""The directory pages: facets, filters in the URL, search, pagination, htmx, query counts."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lotse.ecosystem.domain.listings import create_listing
from lotse.ecosystem.domain.organisations import create_organisation
from lotse.ecosystem.domain.people import add_membership, create_person
from lotse.ecosystem.models import Need, Offer, Organisation, Person, Term

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(term: Callable[[str], Term]) -> dict[str, Any]:
    subtitles = term("spracherkennung-untertitelung")
    personal = term("empfehlung-personalisierung")
    film, press = term("film"), term("presse")
    orgs = {
        "subtitle": create_organisation(
            name="Untertitel-Werk GmbH",
            kind="ai_company",
            city="Hamburg",
            region="Hamburg",
            short_description="Automatische Untertitelung für Sender",
            topics=[subtitles],
            sectors=[film],
        ),
        "press": create_organisation(
            name="Nordpresse Verlag",
            kind="media_house",
            city="Kiel",
            region="Schleswig-Holstein",
            topics=[personal],
            sectors=[press],
        ),
        "studio": create_organisation(
            name="Bildwerk Studio",
            kind="production_studio",
            city="München",
            region="Bayern",
            topics=[subtitles, personal],
            sectors=[film],
        ),
    }
    for index in range(25):
        create_organisation(name=f"Füllfirma {index:02d}", kind="agency", city="Berlin")
    people = []
    for index in range(5):
        person = create_person(
            name=f"Person {index}", role_title="Leitung KI", expertise=[subtitles]
        )
        add_membership(person, orgs["subtitle"], title="KI-Lead")
        people.append(person)
    create_person(name="Geheime Person", visibility="hidden")
    create_person(name="Nur Mitglieder", visibility="members")
    for index in range(4):
        create_listing(
            Offer,
            organisation=orgs["subtitle"],
            title=f"Untertitel-Service {index}",
            kind="service",
            topics=[subtitles],
            data_residency="eu_cloud",
        )
        create_listing(
            Need,
            organisation=orgs["press"],
            title=f"Personalisierung gesucht {index}",
            kind="solution",
            topics=[personal],
            data_residency="on_premise",
        )
    create_listing(
        Offer, organisation=orgs["studio"], title="Entwurf", kind="product", status="draft"
    )
    return {"orgs": orgs, "people": people}


def test_topic_facet_counts_and_filters(client: Client, network: dict[str, Any]) -> None:
    url = reverse("ecosystem:organisation_list")
    response = client.get(url, {"topic": "spracherkennung-untertitelung"})
    content = response.content.decode()
    assert response.status_code == 200
    names = [o.name for o in response.context["page"].object_list]
    assert names == ["Bildwerk Studio", "Untertitel-Werk GmbH"]
    # Facet counts apply the other filters but not this facet's own selection.
    kinds = {o.value: o.count for o in response.context["directory"].facets[0].options}
    assert kinds == {"ai_company": 1, "production_studio": 1}
    assert "Nordpresse" not in content


def test_selected_options_come_first(client: Client, network: dict[str, Any]) -> None:
    """A long facet list scrolls: what is selected is listed first, then by count."""
    url = reverse("ecosystem:organisation_list")
    plain = client.get(url).context["directory"].facets[0].options
    assert [o.value for o in plain][:1] == ["agency"]  # 25 of them: the largest first
    response = client.get(url, {"kind": ["production_studio", "media_house"]})
    kinds = response.context["directory"].facets[0].options
    assert [(o.value, o.selected) for o in kinds] == [
        ("media_house", True),
        ("production_studio", True),
        ("agency", False),
        ("ai_company", False),
    ]
    fieldset = response.content.decode().split("<fieldset>", 2)[1]
    first = fieldset.split("<li>", 2)[1]
    assert 'value="media_house" checked' in first


def test_options_within_a_facet_combine_with_or_and_facets_with_and(
    client: Client, network: dict[str, Any]
) -> None:
    url = reverse("ecosystem:organisation_list")
    response = client.get(url + "?kind=ai_company&kind=media_house")
    assert {o.name for o in response.context["page"].object_list} == {
        "Untertitel-Werk GmbH",
        "Nordpresse Verlag",
    }
    response = client.get(url + "?kind=ai_company&kind=media_house&sector=presse")
    assert [o.name for o in response.context["page"].object_list] == ["Nordpresse Verlag"]


def test_search_term_and_filter_survive_in_shareable_url(
    client: Client, network: dict[str, Any]
) -> None:
    url = reverse("ecosystem:organisation_list") + "?q=untertitel&region=Hamburg&page=1"
    response = client.get(url)
    assert [o.name for o in response.context["page"].object_list] == ["Untertitel-Werk GmbH"]
    content = response.content.decode()
    assert 'value="untertitel"' in content
    assert 'value="Hamburg" checked' in content


def test_pagination_keeps_filters(client: Client, network: dict[str, Any]) -> None:
    response = client.get(reverse("ecosystem:organisation_list"), {"kind": "agency"})
    assert response.context["page"].paginator.count == 25
    content = response.content.decode()
    assert "?kind=agency&amp;page=2" in content
    second = client.get(reverse("ecosystem:organisation_list"), {"kind": "agency", "page": 2})
    assert len(second.context["page"].object_list) == 5


def test_htmx_request_gets_only_the_results_fragment(
    client: Client, network: dict[str, Any]
) -> None:
    response = client.get(
        reverse("ecosystem:organisation_list"), {"q": "Bildwerk"}, HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert "<html" not in content
    assert "Bildwerk Studio" in content


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "a" * 10_000,
        '"unclosed',
        "NEAR(untertitel",
        "' OR 1=1 --",
        "🙂🎬",
        "КИ 人工智能",
        "untertitel*",
        "\x00null",
    ],
)
def test_odd_queries_never_fail(client: Client, network: dict[str, Any], query: str) -> None:
    for name in ("organisation_list", "person_list", "offer_list", "need_list"):
        response = client.get(reverse(f"ecosystem:{name}"), {"q": query})
        assert response.status_code == 200


def test_people_list_hides_hidden_and_members_only_from_anonymous(
    client: Client, network: dict[str, Any], make_user: Callable[..., Any]
) -> None:
    url = reverse("ecosystem:person_list")
    names = {p.name for p in client.get(url).context["page"].object_list}
    assert "Geheime Person" not in names
    assert "Nur Mitglieder" not in names
    client.force_login(make_user())
    names = {p.name for p in client.get(url).context["page"].object_list}
    assert "Nur Mitglieder" in names
    assert "Geheime Person" not in names


def test_hidden_person_answers_404(client: Client, network: dict[str, Any]) -> None:
    hidden = Person.objects.get(name="Geheime Person")
    assert client.get(hidden.get_absolute_url()).status_code == 404


def test_draft_listing_is_not_listed(client: Client, network: dict[str, Any]) -> None:
    titles = {
        o.title for o in client.get(reverse("ecosystem:offer_list")).context["page"].object_list
    }
    assert "Entwurf" not in titles
    assert len(titles) == 4


def test_residency_facet_on_offers(client: Client, network: dict[str, Any]) -> None:
    response = client.get(reverse("ecosystem:need_list"), {"residency": "on_premise"})
    assert response.context["page"].paginator.count == 4
    response = client.get(reverse("ecosystem:need_list"), {"residency": "eu_cloud"})
    assert response.context["page"].paginator.count == 0


def test_description_markdown_is_sanitised(client: Client, network: dict[str, Any]) -> None:
    organisation: Organisation = network["orgs"]["press"]
    organisation.description = (
        "**fett** <script>alert('x')</script> <img src=x onerror=alert(1)> "
        "[link](javascript:alert(1))"
    )
    organisation.save()
    content = client.get(organisation.get_absolute_url()).content.decode()
    assert "<strong>fett</strong>" in content
    assert "<script>alert" not in content
    assert "onerror" not in content
    assert "javascript:" not in content


@pytest.mark.parametrize("name", ["organisation_list", "person_list", "offer_list", "need_list"])
def test_list_views_have_no_n_plus_one(
    client: Client,
    network: dict[str, Any],
    name: str,
    django_assert_max_num_queries: Any,
    term: Callable[[str], Term],
) -> None:
    url = reverse(f"ecosystem:{name}")
    client.get(url)  # warm caches such as the session and content types
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    baseline = len(few.captured_queries)
    # Twenty more rows of everything must not cost one more query.
    for index in range(20):
        org = create_organisation(
            name=f"Mehr {index}", kind="agency", topics=[term("textgenerierung")]
        )
        person = create_person(name=f"Mehr Person {index}", expertise=[term("textgenerierung")])
        add_membership(person, org)
        create_listing(
            Offer,
            organisation=org,
            title=f"Mehr {index}",
            kind="service",
            topics=[term("textgenerierung")],
        )
        create_listing(
            Need,
            organisation=org,
            title=f"Mehr {index}",
            kind="partner",
            topics=[term("textgenerierung")],
        )
    with django_assert_max_num_queries(baseline):
        client.get(url)


def test_detail_pages_render(client: Client, network: dict[str, Any]) -> None:
    org = network["orgs"]["subtitle"]
    response = client.get(org.get_absolute_url())
    assert response.status_code == 200
    assert "Person 0" in response.content.decode()
    offer = Offer.objects.filter(organisation=org).first()
    assert offer is not None
    assert client.get(offer.get_absolute_url()).status_code == 200
    assert client.get(network["people"][0].get_absolute_url()).status_code == 200
    assert client.get("/verzeichnis/organisationen/gibt-es-nicht/").status_code == 404


COUNTING_PATHS = [
    # (SMALL_SET, SEARCH_SET, FETCH_CAP, search MATERIALISE)
    pytest.param(2000, 20_000, 50_000, 20_000, id="defaults"),
    pytest.param(1, 20_000, 50_000, 20_000, id="search-ids-counted-among"),
    pytest.param(1, 1, 50_000, 20_000, id="search-subquery"),
    pytest.param(1, 1, 1, 20_000, id="all-subqueries"),
    pytest.param(2000, 20_000, 50_000, 0, id="search-not-materialised"),
    pytest.param(1, 1, 1, 0, id="nothing-fetched"),
]


def _use_counting_path(
    monkeypatch: pytest.MonkeyPatch,
    small_set: int,
    search_set: int,
    fetch_cap: int,
    materialise: int,
) -> None:
    """Set the thresholds that choose how the facets are counted (COUNTING_PATHS)."""
    from lotse.ecosystem import selectors
    from lotse.search import selectors as search_selectors

    monkeypatch.setattr(selectors, "SMALL_SET", small_set)
    monkeypatch.setattr(selectors, "SEARCH_SET", search_set)
    monkeypatch.setattr(selectors, "FETCH_CAP", fetch_cap)
    monkeypatch.setattr(search_selectors, "MATERIALISE", materialise)


@pytest.fixture(params=[pytest.param(path.values, id=path.id) for path in COUNTING_PATHS])
def counting_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test using it runs once per counting path."""
    _use_counting_path(monkeypatch, *request.param)


def test_facet_counts_same_on_both_counting_paths(
    client: Client,
    network: dict[str, Any],
    counting_path: None,
) -> None:
    """Counting on fetched ids (small result) and on subqueries (large) agree."""
    url = reverse("ecosystem:organisation_list")
    params = {"q": "Untertitel", "topic": "spracherkennung-untertitelung", "sector": "film"}
    response = client.get(url, params)
    assert [o.name for o in response.context["page"].object_list] == ["Untertitel-Werk GmbH"]
    facets = response.context["directory"].facets
    counts = {f.param: {o.value: o.count for o in f.options} for f in facets}
    assert counts["kind"] == {"ai_company": 1}
    assert counts["topic"]["spracherkennung-untertitelung"] == 1
    assert counts["sector"] == {"film": 1}


def _all_counts(client: Client, params: dict[str, str]) -> tuple[list[str], dict[str, Any]]:
    response = client.get(reverse("ecosystem:organisation_list"), params)
    assert response.status_code == 200
    facets = response.context["directory"].facets
    names = [o.name for o in response.context["page"].object_list]
    return names, {f.param: {o.value: o.count for o in f.options} for f in facets}


@pytest.mark.parametrize(
    "params",
    [
        {"q": "KI"},
        {"q": "Untertitel", "topic": "spracherkennung-untertitelung"},
        {"q": "Untertitel", "kind": "ai_company"},
        {"topic": "spracherkennung-untertitelung"},
    ],
)
def test_every_counting_path_gives_the_same_page(
    client: Client, network: dict[str, Any], params: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same request counted along every path: identical entries and counts."""
    results = []
    for path in COUNTING_PATHS:
        _use_counting_path(monkeypatch, *path.values)
        results.append(_all_counts(client, params))
    names, counts = results[0]
    assert names
    assert any(counts.values())
    for other in results[1:]:
        assert other == results[0]


def test_offers_residency_counts_organisations_not_offers(
    client: Client,
    network: dict[str, Any],
    counting_path: None,
) -> None:
    """The organisation facet "data residency of the offers": an organisation with
    four EU-cloud offers counts once, as it is listed once."""
    for params in ({}, {"q": "Untertitel"}, {"kind": "ai_company"}):
        names, counts = _all_counts(client, params)
        assert counts["residency"]["eu_cloud"] == 1, params
        names, _ = _all_counts(client, {**params, "residency": "eu_cloud"})
        assert names == ["Untertitel-Werk GmbH"]


def test_people_kind_facet_counts_each_person_once(
    client: Client,
    network: dict[str, Any],
    counting_path: None,
) -> None:
    """ "Kind of organisation" for people: a person in two studios counts once,
    people in different studios each count."""
    studios = [network["orgs"]["studio"]]
    studios.append(create_organisation(name="Zweites Studio", kind="production_studio"))
    both = create_person(name="Studio Beide", role_title="Leitung KI")
    add_membership(both, studios[0], title="Leitung")
    add_membership(both, studios[1], title="Beratung")
    add_membership(create_person(name="Studio Eins"), studios[0], title="Kamera")
    add_membership(create_person(name="Studio Zwei"), studios[1], title="Schnitt")
    url = reverse("ecosystem:person_list")
    for params in ({}, {"q": "Studio"}, {"topic": "spracherkennung-untertitelung"}):
        response = client.get(url, params)
        kinds = {
            f.param: {o.value: o.count for o in f.options}
            for f in response.context["directory"].facets
        }
        expected = 0 if "topic" in params else 3
        assert kinds["kind"].get("production_studio", 0) == expected, params


def test_facet_options_are_escaped_labelled_and_checked(
    client: Client, network: dict[str, Any]
) -> None:
    create_organisation(name="Regionale Firma", kind="agency", region='<b onclick="x">Nord</b>')
    response = client.get(reverse("ecosystem:organisation_list"), {"kind": "agency"})
    html = response.content.decode()
    assert "&lt;b onclick=&quot;x&quot;&gt;Nord&lt;/b&gt;" in html
    assert '<b onclick="x">' not in html
    # Every checkbox has its label; the selected option is checked.
    assert html.count('type="checkbox" id="f-') == html.count('<label for="f-')
    assert re.search(r'name="kind" value="agency"\s+checked>', html)
    assert re.search(r'name="kind" value="media_house"\s*>', html)
