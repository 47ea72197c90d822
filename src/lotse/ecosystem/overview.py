"""Reads for the ecosystem overview: how big the network is, where, and since when.

Every figure is an aggregate query (``GROUP BY`` in the database, never a Python
loop over rows), so the page stays fast with 100,000 organisations.  The result
is a plain, language-independent structure of numbers and database values; it is
cached in Django's cache for ``LOTSE_OVERVIEW_CACHE_SECONDS`` (default 300) per
filter combination.  Labels are attached after the cache read, so switching
the language never shows stale translations.  See docs/overview.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, Count, Max, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language, ngettext_lazy
from django.utils.translation import gettext as _

from lotse.ecosystem.models import (
    ListingStatus,
    Membership,
    Need,
    NeedKind,
    Offer,
    OfferKind,
    Organisation,
    OrganisationKind,
    Person,
    TermStatus,
    Visibility,
    Vocabulary,
)

CACHE_VERSION = 1
MAX_QUARTERS = 40  # ten years of growth; older entries form the starting level
MAX_CITIES = 400  # dots on the map; the rest is counted, not drawn
MAX_TERMS = 12  # bars per topic chart
MAX_FILTER_VALUES = 20


def cache_seconds() -> int:
    return int(getattr(settings, "LOTSE_OVERVIEW_CACHE_SECONDS", 300))


# --- Filters --------------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewFilter:
    kinds: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()

    @classmethod
    def from_params(cls, params: Any) -> OverviewFilter:
        """Read ``kind`` and ``region`` from a QueryDict; unknown kinds are ignored."""
        kinds = sorted({k for k in params.getlist("kind") if k in OrganisationKind.values})
        regions = sorted(
            {" ".join(r.split())[:100] for r in params.getlist("region") if r and r.strip()}
        )
        return cls(tuple(kinds[:MAX_FILTER_VALUES]), tuple(regions[:MAX_FILTER_VALUES]))

    @property
    def active(self) -> bool:
        return bool(self.kinds or self.regions)

    def cache_key(self) -> str:
        raw = "|".join(self.kinds) + "#" + "|".join(self.regions)
        digest = hashlib.sha256(raw.encode()).hexdigest()[:24]
        return f"lotse:overview:v{CACHE_VERSION}:{digest}"

    def organisations(self) -> QuerySet[Organisation]:
        queryset = Organisation.objects.all()
        if self.kinds:
            queryset = queryset.filter(kind__in=self.kinds)
        if self.regions:
            queryset = queryset.filter(region__in=self.regions)
        return queryset

    def query_items(self) -> list[tuple[str, str]]:
        return [("kind", k) for k in self.kinds] + [("region", r) for r in self.regions]


# --- Computing the figures ----------------------------------------------------------------


def _grouped(queryset: QuerySet[Any], *fields: str) -> list[tuple[Any, ...]]:
    rows = (
        queryset.order_by()
        .values(*fields)
        .annotate(n=Count("pk"))
        .values_list(*fields, "n")
    )
    return sorted(rows, key=lambda row: (-row[-1], *(str(v) for v in row[:-1])))


def _live(today: dt.date) -> Q:
    return Q(status=ListingStatus.PUBLISHED) & (
        Q(expires_on__isnull=True) | Q(expires_on__gte=today)
    )


def _quarter(value: dt.datetime | dt.date) -> tuple[int, int]:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.year, (value.month - 1) // 3 + 1


def _next(quarter: tuple[int, int]) -> tuple[int, int]:
    year, q = quarter
    return (year + 1, 1) if q == 4 else (year, q + 1)


def _quarter_start(quarter: tuple[int, int]) -> dt.datetime:
    year, q = quarter
    return timezone.make_aware(dt.datetime(year, 3 * (q - 1) + 1, 1))


def _quarters(*querysets: QuerySet[Any], now: dt.datetime) -> list[tuple[int, int]]:
    """The quarters from the first entry to now (or the last entry), at most MAX_QUARTERS."""
    first, last = None, _quarter(now)
    for queryset in querysets:
        bounds = queryset.order_by().aggregate(first=Min("created_at"), last=Max("created_at"))
        if bounds["first"] is not None:
            first = min(first or last, _quarter(bounds["first"]))
            last = max(last, _quarter(bounds["last"]))
    if first is None:
        return []
    quarters = [first]
    while quarters[-1] < last:
        quarters.append(_next(quarters[-1]))
    return quarters[-MAX_QUARTERS:]


def _per_quarter(queryset: QuerySet[Any], quarters: list[tuple[int, int]]) -> list[int]:
    """Entries so far at the end of each quarter, in one query.

    Conditional counts over quarter boundaries instead of ``GROUP BY`` a truncated
    date: truncating needs a per-row time-zone conversion, which SQLite does in
    Python (seconds for 300,000 rows); comparing with constants stays in C.
    """
    if not quarters:
        return []
    ends = [_quarter_start(_next(quarter)) for quarter in quarters]
    counts = queryset.order_by().aggregate(
        **{f"q{i}": Count("pk", filter=Q(created_at__lt=end)) for i, end in enumerate(ends)}
    )
    return [counts[f"q{i}"] for i in range(len(ends))]


def _growth(
    quarters: list[tuple[int, int]], organisations: list[int], people: list[int]
) -> list[tuple[int, int, int, int, int, int]]:
    """(year, quarter, new organisations, organisations so far, new people, people so far).

    The first quarter's "new" figures include everything before it.
    """
    rows = []
    previous_orgs = previous_people = 0
    for index, (year, quarter) in enumerate(quarters):
        orgs, persons = organisations[index], people[index]
        rows.append((year, quarter, orgs - previous_orgs, orgs, persons - previous_people, persons))
        previous_orgs, previous_people = orgs, persons
    return rows


def compute_figures(selection: OverviewFilter) -> dict[str, Any]:
    """All figures for one filter, as plain data (cacheable, language-independent)."""
    today = timezone.localdate()
    organisations = selection.organisations()
    people = Person.objects.exclude(visibility=Visibility.HIDDEN)
    offers = Offer.objects.filter(_live(today))
    needs = Need.objects.filter(_live(today))
    memberships = Membership.objects.exclude(person__visibility=Visibility.HIDDEN)
    if selection.active:
        people = people.filter(pk__in=memberships.filter(organisation__in=organisations).values(
            "person_id"
        ))
        offers = offers.filter(organisation__in=organisations)
        needs = needs.filter(organisation__in=organisations)
        memberships = memberships.filter(organisation__in=organisations)

    kinds = _grouped(organisations, "kind")
    status = organisations.aggregate(
        verified=Count("pk", filter=Q(verified=True)),
        stale=Count("pk", filter=Q(last_confirmed__lt=_stale_cutoff(today))),
        located=Count("pk", filter=Q(latitude__isnull=False, longitude__isnull=False)),
    )
    regions = _grouped(organisations.exclude(region=""), "region")

    sector_through = Organisation.sectors.through.objects.filter(
        term__status=TermStatus.APPROVED
    )
    topic_through = Organisation.topics.through.objects.filter(term__status=TermStatus.APPROVED)
    if selection.active:
        sector_through = sector_through.filter(organisation__in=organisations)
        topic_through = topic_through.filter(organisation__in=organisations)
    sectors = _grouped(sector_through, "term__slug", "term__name", "term__name_en")
    topics = _grouped(
        topic_through, "term__vocabulary", "term__slug", "term__name", "term__name_en"
    )

    cities = (
        organisations.exclude(city="")
        .filter(latitude__isnull=False, longitude__isnull=False)
        .order_by()
        .values("city")
        .annotate(n=Count("pk"), lat=Avg("latitude"), lon=Avg("longitude"))
        .values_list("city", "n", "lat", "lon")
    )
    city_rows = sorted(cities, key=lambda row: (-row[1], row[0]))

    people_by_kind = (
        memberships.order_by()
        .values("organisation__kind")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("organisation__kind", "n")
    )

    quarters = _quarters(organisations, people, now=timezone.now())
    growth = _growth(
        quarters, _per_quarter(organisations, quarters), _per_quarter(people, quarters)
    )

    return {
        "computed_at": timezone.now().isoformat(),
        "totals": {
            "organisations": sum(n for _kind, n in kinds),
            "people": people.count(),
            "offers": offers.count(),
            "needs": needs.count(),
            "regions": len(regions),
            "cities": len(city_rows),
            **status,
        },
        "kinds": [list(row) for row in kinds],
        "regions": [list(row) for row in regions],
        "sectors": [list(row) for row in sectors],
        "capabilities": [list(r[1:]) for r in topics if r[0] == Vocabulary.CAPABILITY][:MAX_TERMS],
        "use_cases": [list(r[1:]) for r in topics if r[0] == Vocabulary.USE_CASE][:MAX_TERMS],
        "cities": [
            [city, n, round(lat, 4), round(lon, 4)] for city, n, lat, lon in city_rows[:MAX_CITIES]
        ],
        "people_by_kind": sorted(([k, n] for k, n in people_by_kind), key=lambda r: -r[1]),
        "offers_by_kind": [list(row) for row in _grouped(offers, "kind")],
        "needs_by_kind": [list(row) for row in _grouped(needs, "kind")],
        "growth": [list(row) for row in growth],
    }


def _stale_cutoff(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=settings.LOTSE_STALE_AFTER_DAYS)


def get_figures(selection: OverviewFilter | None = None) -> dict[str, Any]:
    """The cached figures for ``selection``; computed at most every few minutes."""
    selection = selection or OverviewFilter()
    key = selection.cache_key()
    figures = cache.get(key)
    if figures is None:
        figures = compute_figures(selection)
        cache.set(key, figures, cache_seconds())
    return figures


def region_options() -> list[str]:
    """Every region of the whole network, for the filter form (cached like the figures)."""
    key = f"lotse:overview:v{CACHE_VERSION}:regions"
    regions = cache.get(key)
    if regions is None:
        regions = sorted(
            Organisation.objects.exclude(region="").order_by().values_list("region", flat=True)
            .distinct()[:500]
        )
        cache.set(key, regions, cache_seconds())
    return list(regions)


def clear_cache(selection: OverviewFilter | None = None) -> None:
    cache.delete((selection or OverviewFilter()).cache_key())


# --- Presenting them ----------------------------------------------------------------------

# Plural phrases per kind, for the sentence "Im Netzwerk sind 98 KI-Unternehmen, …".
# ``count`` picks the plural form, ``n`` is the formatted number.
_KIND_PHRASES: dict[str, Any] = {
    OrganisationKind.AI_COMPANY: ngettext_lazy(
        "%(n)s KI-Unternehmen", "%(n)s KI-Unternehmen", "count"
    ),
    OrganisationKind.STARTUP: ngettext_lazy(
        "%(n)s Start-up", "%(n)s Start-ups", "count"
    ),
    OrganisationKind.RESEARCH_INSTITUTE: ngettext_lazy(
        "%(n)s Forschungsinstitut", "%(n)s Forschungsinstitute", "count"
    ),
    OrganisationKind.UNIVERSITY_CHAIR: ngettext_lazy(
        "%(n)s Lehrstuhl bzw. Hochschule", "%(n)s Lehrstühle und Hochschulen", "count"
    ),
    OrganisationKind.MEDIA_HOUSE: ngettext_lazy(
        "%(n)s Medienhaus oder Verlag", "%(n)s Medienhäuser und Verlage", "count"
    ),
    OrganisationKind.BROADCASTER: ngettext_lazy(
        "%(n)s Rundfunkanbieter", "%(n)s Rundfunkanbieter", "count"
    ),
    OrganisationKind.PRODUCTION_STUDIO: ngettext_lazy(
        "%(n)s Produktionsstudio", "%(n)s Produktionsstudios", "count"
    ),
    OrganisationKind.AGENCY: ngettext_lazy(
        "%(n)s Agentur", "%(n)s Agenturen", "count"
    ),
    OrganisationKind.CULTURAL_ORGANISATION: ngettext_lazy(
        "%(n)s Kulturorganisation", "%(n)s Kulturorganisationen", "count"
    ),
    OrganisationKind.NETWORK: ngettext_lazy(
        "%(n)s Initiative oder Netzwerk", "%(n)s Initiativen und Netzwerke", "count"
    ),
    OrganisationKind.INVESTOR: ngettext_lazy(
        "%(n)s Investor oder Fonds", "%(n)s Investoren und Fonds", "count"
    ),
    OrganisationKind.PUBLIC_BODY: ngettext_lazy(
        "%(n)s öffentliche Einrichtung", "%(n)s öffentliche Einrichtungen", "count"
    ),
}


def format_count(n: int) -> str:
    """12000 → "12.000" in German, "12,000" in English."""
    from django.utils.formats import number_format

    return number_format(n, force_grouping=True)


def kind_phrase(kind: str, n: int) -> str:
    phrase = _KIND_PHRASES.get(kind)
    if phrase is None:
        return f"{format_count(n)} {kind}"
    return str(phrase % {"n": format_count(n), "count": n})


def join_phrases(phrases: list[str]) -> str:
    if not phrases:
        return ""
    if len(phrases) == 1:
        return phrases[0]
    return _("%(list)s und %(last)s") % {"list": ", ".join(phrases[:-1]), "last": phrases[-1]}


def headline(figures: dict[str, Any]) -> str:
    """Seed 003's way of counting: "98 KI-Unternehmen, 12 Forschungsinstitute und …"."""
    phrases = [kind_phrase(kind, n) for kind, n in figures["kinds"] if n]
    return join_phrases(phrases)


def term_label(name: str, name_en: str) -> str:
    return name_en if name_en and (get_language() or "de").startswith("en") else name


def kind_label(kind: str, choices: Any = OrganisationKind) -> str:
    try:
        return str(choices(kind).label)
    except ValueError:
        return kind


def offer_kind_label(kind: str) -> str:
    return kind_label(kind, OfferKind)


def need_kind_label(kind: str) -> str:
    return kind_label(kind, NeedKind)


def quarter_label(year: int, quarter: int) -> str:
    return _("%(q)s. Quartal %(year)s") % {"q": quarter, "year": year}


# --- Optional contributions of other apps --------------------------------------------------


@dataclass
class Contribution:
    """A block another app adds to the overview (e.g. alliance figures from matching)."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


def alliance_figures(user: Any, selection: OverviewFilter) -> Contribution | None:
    """The hook for alliance figures: filled once ``lotse.matching`` provides them.

    If the app ``lotse.matching`` is installed and its ``selectors`` module has
    ``overview_alliances(user, *, kinds, regions) -> dict | None``, the result is
    rendered with the template ``matching/_overview_alliances.html`` inside the
    overview's ``{% block alliances %}``.  Until then the block stays empty.
    """
    if not apps.is_installed("lotse.matching"):
        return None
    try:
        matching_selectors = importlib.import_module("lotse.matching.selectors")
    except ImportError:
        return None
    provider = getattr(matching_selectors, "overview_alliances", None)
    if provider is None:
        return None
    context = provider(user, kinds=selection.kinds, regions=selection.regions)
    if not context:
        return None
    return Contribution("matching/_overview_alliances.html", dict(context))
