"""The ecosystem overview: figures, charts and a map of the network."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lotse.ecosystem import access, charts
from lotse.ecosystem import overview as reads
from lotse.ecosystem.models import OrganisationKind


def _link(base: str, selection: reads.OverviewFilter, *extra: tuple[str, str]) -> str:
    items = [item for item in selection.query_items() if item[0] not in {k for k, _ in extra}]
    return f"{base}?{urlencode(items + list(extra))}"


def _organisations(n: int) -> str:
    return ngettext("%(n)s Organisation", "%(n)s Organisationen", n) % {
        "n": reads.format_count(n)
    }


def _people(n: int) -> str:
    return ngettext("%(n)s Person", "%(n)s Personen", n) % {"n": reads.format_count(n)}


def _charts(figures: dict[str, Any], selection: reads.OverviewFilter) -> dict[str, Any]:
    directory = reverse("ecosystem:organisation_list")
    people_directory = reverse("ecosystem:person_list")
    offers, needs = reverse("ecosystem:offer_list"), reverse("ecosystem:need_list")

    def bars(
        id_: str, title: str, description: str, rows: list[tuple[str, int, str]]
    ) -> charts.BarChart:
        return charts.bar_chart(
            id_, title, description, rows,
            value_text=[reads.format_count(value) for _, value, _ in rows],
        )

    kinds = bars(
        "chart-kinds", _("Organisationen nach Art"),
        _("Balkendiagramm: Anzahl der Organisationen je Art."),
        [(reads.kind_label(kind), n, _link(directory, selection, ("kind", kind)))
         for kind, n in figures["kinds"]],
    )
    sectors = bars(
        "chart-sectors", _("Organisationen nach Branche"),
        _("Balkendiagramm: Anzahl der Organisationen je Teilmarkt der Kultur- und "
          "Kreativwirtschaft."),
        [(reads.term_label(name, name_en), n, _link(directory, selection, ("sector", slug)))
         for slug, name, name_en, n in figures["sectors"]],
    )
    capabilities = bars(
        "chart-capabilities", _("Häufigste KI-Fähigkeiten"),
        _("Balkendiagramm: die KI-Fähigkeiten, die Organisationen am häufigsten angeben."),
        [(reads.term_label(name, name_en), n, _link(directory, selection, ("topic", slug)))
         for slug, name, name_en, n in figures["capabilities"]],
    )
    use_cases = bars(
        "chart-use-cases", _("Häufigste Anwendungsfälle"),
        _("Balkendiagramm: die Anwendungsfälle, die Organisationen am häufigsten angeben."),
        [(reads.term_label(name, name_en), n, _link(directory, selection, ("topic", slug)))
         for slug, name, name_en, n in figures["use_cases"]],
    )
    regions = bars(
        "chart-regions", _("Organisationen nach Region"),
        _("Balkendiagramm: Anzahl der Organisationen je Region bzw. Bundesland."),
        [(region, n, _link(directory, selection, ("region", region)))
         for region, n in figures["regions"][:16]],
    )
    people = bars(
        "chart-people", _("Personen nach Art ihrer Organisation"),
        _("Balkendiagramm: Personen im Verzeichnis, gezählt nach der Art der Organisation, "
          "der sie angehören."),
        [(reads.kind_label(kind), n, f"{people_directory}?{urlencode({'kind': kind})}")
         for kind, n in figures["people_by_kind"]],
    )
    offer_bars = bars(
        "chart-offers", _("Aktuelle Angebote nach Art"),
        _("Balkendiagramm: veröffentlichte, nicht abgelaufene Angebote je Art."),
        [(reads.offer_kind_label(kind), n, f"{offers}?{urlencode({'kind': kind})}")
         for kind, n in figures["offers_by_kind"]],
    )
    need_bars = bars(
        "chart-needs", _("Aktuelle Bedarfe nach Art"),
        _("Balkendiagramm: veröffentlichte, nicht abgelaufene Bedarfe je Art."),
        [(reads.need_kind_label(kind), n, f"{needs}?{urlencode({'kind': kind})}")
         for kind, n in figures["needs_by_kind"]],
    )

    growth_rows = figures["growth"]
    labels = [f"Q{q}/{str(year)[2:]}" for year, q, *_ in growth_rows]
    full = [reads.quarter_label(year, q) for year, q, *_ in growth_rows]
    growth = charts.line_chart(
        "chart-growth", _("Wachstum des Netzwerks"),
        _("Liniendiagramm: Organisationen und Personen im Verzeichnis, kumuliert je Quartal "
          "nach dem Datum ihrer Aufnahme."),
        labels,
        [
            ("organisations", _("Organisationen"), [row[3] for row in growth_rows],
             [f"{full[i]}: {_organisations(row[3])}" for i, row in enumerate(growth_rows)]),
            ("people", _("Personen"), [row[5] for row in growth_rows],
             [f"{full[i]}: {_people(row[5])}" for i, row in enumerate(growth_rows)]),
        ],
        format_value=reads.format_count,
        tick_every=max(1, (len(labels) + 7) // 8),
    )

    city_rows = [
        (city, n, lat, lon, _link(directory, selection, ("city", city)),
         f"{city}: {_organisations(n)}")
        for city, n, lat, lon in figures["cities"]
    ]
    region_rows = [(region, n, f"{region}: {_organisations(n)}")
                   for region, n in figures["regions"]]
    largest = figures["cities"][0][1] if figures["cities"] else 0
    legend = [(largest, _organisations(largest))] if largest > 1 else []
    legend.append((1, _organisations(1)))
    network_map = charts.map_chart(
        "chart-map", _("Karte der Organisationen"),
        _("Karte von Deutschland und den Nachbarländern. Jeder Punkt steht für einen Ort; "
          "je größer der Punkt, desto mehr Organisationen haben dort ihren Sitz. "
          "Bundesländer mit mehr Organisationen sind dunkler eingefärbt."),
        city_rows, region_rows, legend if largest else [],
    )
    return {
        "kinds_chart": kinds, "sectors_chart": sectors, "capabilities_chart": capabilities,
        "use_cases_chart": use_cases, "regions_chart": regions, "people_chart": people,
        "offers_chart": offer_bars, "needs_chart": need_bars, "growth_chart": growth,
        "growth_table": [
            (full[i], reads.format_count(row[2]), reads.format_count(row[3]),
             reads.format_count(row[4]), reads.format_count(row[5]))
            for i, row in enumerate(growth_rows)
        ],
        "map": network_map,
    }


def overview(request: HttpRequest) -> HttpResponse:
    selection = reads.OverviewFilter.from_params(request.GET)
    figures = reads.get_figures(selection)
    totals = figures["totals"]
    context: dict[str, Any] = {
        "figures": figures,
        "totals": {key: reads.format_count(value) for key, value in totals.items()},
        "headline": reads.headline(figures),
        "selection": selection,
        "kind_options": [
            (value, label, value in selection.kinds) for value, label in OrganisationKind.choices
        ],
        "region_options": [
            (region, region in selection.regions)
            # every region of the whole network, not only the filtered ones
            for region in sorted(set(reads.region_options()) | set(selection.regions))
        ],
        "is_manager": access.is_manager(request.user),
        "stale_link": f"{reverse('ecosystem:organisation_list')}?stale=1",
        "cache_minutes": max(1, reads.cache_seconds() // 60),
        "alliances": reads.alliance_figures(request.user, selection),
        **_charts(figures, selection),
    }
    return render(request, "ecosystem/overview.html", context)
