"""The demo network and the generator for large synthetic networks.

``load_demo_network()`` fills an empty directory with

* the real organisations and people the four seed articles name, with nothing but
  what the articles say about them (``data/demo/seed_network.json``; every
  organisation carries a ``source_note`` citing its article, people cite it in
  their bio, no contact data for real people), and
* fictional organisations, people, offers and needs (``data/demo/fictional.json``
  plus seeded random choices), all ``is_fictional=True`` and shown as "fiktiv",
* two demo accounts (:data:`DEMO_LOGINS`): a network manager and a member who
  administers the profile of the fictional "Hafenpixel Studio".

``generate_network(size=N)`` writes N synthetic organisations, 3 N people and
(optionally) offers and needs with ``bulk_create`` for benchmarks.

Both are deterministic for a given seed (dates are relative to today).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from lotse.ecosystem.models import (
    DataResidency,
    ListingStatus,
    Membership,
    MembershipRole,
    Need,
    NeedKind,
    Offer,
    OfferKind,
    Organisation,
    OrganisationKind,
    Person,
    RegionalScope,
    SizeBand,
    Term,
    TermStatus,
    Visibility,
    Vocabulary,
)

DATA_DIR = Path(__file__).resolve().parent / "data" / "demo"

DEMO_LOGINS: dict[str, tuple[str, str]] = {
    "Netzwerk-Management": ("management@example.org", "Lotse-Netzwerk-2025"),
    "Mitglied": ("mitglied@example.org", "Lotse-Mitmachen-2025"),
}
MEMBER_ORGANISATION_KEY = "hafenpixel"
DEFAULT_SEED = 20251127
SYNTHETIC_PREFIX = "syn"
DAYS_OF_HISTORY = 3 * 365


class DemoError(Exception):
    """The demo cannot be loaded as asked (e.g. it is already there)."""


@dataclass
class DemoCounts:
    organisations: int = 0
    people: int = 0
    offers: int = 0
    needs: int = 0

    def __str__(self) -> str:
        return (
            f"{self.organisations} Organisationen, {self.people} Personen, "
            f"{self.offers} Angebote, {self.needs} Bedarfe"
        )


@cache
def _data(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
    return data


def seed_network() -> dict[str, Any]:
    return _data("seed_network.json")


def fictional_data() -> dict[str, Any]:
    return _data("fictional.json")


def seed_organisation_keys() -> list[str]:
    return [item["key"] for item in seed_network()["organisations"]]


def seed_person_keys() -> list[str]:
    return [item["key"] for item in seed_network()["people"]]


def demo_loaded() -> bool:
    return Organisation.objects.filter(key__in=seed_organisation_keys()).exists()


# --- Helpers ----------------------------------------------------------------------------


def _terms() -> tuple[dict[str, Term], dict[str, Term]]:
    """Approved topic terms (capabilities and use cases) and sector terms by slug."""
    approved = Term.objects.filter(status=TermStatus.APPROVED)
    topics = {
        t.slug: t
        for t in approved.filter(vocabulary__in=[Vocabulary.CAPABILITY, Vocabulary.USE_CASE])
    }
    sectors = {t.slug: t for t in approved.filter(vocabulary=Vocabulary.SECTOR)}
    if not topics or not sectors:
        raise DemoError("Die Taxonomie fehlt – bitte zuerst »lotse migrate« ausführen.")
    return topics, sectors


def _ascii(text: str) -> str:
    return slugify(text.replace("ß", "ss").replace("ı", "i")).replace("-", "")


class _Clock:
    """Dates spread over the last three years, denser towards today (a growing network)."""

    def __init__(self, rng: random.Random, now: dt.datetime) -> None:
        self.rng, self.now = rng, now

    def created_at(self) -> dt.datetime:
        days_ago = DAYS_OF_HISTORY * (1 - math.sqrt(self.rng.random()))
        return self.now - dt.timedelta(days=days_ago, minutes=self.rng.randrange(1440))

    def last_confirmed(self, created: dt.datetime, *, stale: bool) -> dt.date:
        today = self.now.date()
        created_day = created.date()
        age = (today - created_day).days
        if stale and age > 400:
            return created_day + dt.timedelta(days=self.rng.randrange(0, age - 366))
        return today - dt.timedelta(days=self.rng.randrange(0, min(age, 300) + 1))


def _bulk_m2m(
    through: type[models.Model], owner_field: str, pairs: Iterable[tuple[int, int]]
) -> None:
    """Insert many-to-many rows (owner, term) with one ``executemany``.

    Model instances would cost about as much as the whole rest of the generator;
    these tables have just two integer columns, so plain rows are safe.
    """
    _insert_rows(through, (f"{owner_field}_id", "term_id"), list(pairs))


def _insert_rows(
    model: type[models.Model], attnames: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    if not rows:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    by_attname = {f.attname: f.column for f in meta.concrete_fields}
    columns = ", ".join(quote(by_attname[name]) for name in attnames)
    placeholders = ", ".join(["%s"] * len(attnames))
    # Identifiers come from model metadata, values are parameters.
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 10000):
            cursor.executemany(sql, rows[start : start + 10000])


# --- The demo network -----------------------------------------------------------------


@transaction.atomic
def load_demo_network(*, seed: int = DEFAULT_SEED) -> DemoCounts:
    """Load seed organisations, fictional entries and the demo logins.

    Refuses with :class:`DemoError` when the demo network is already loaded, so
    running it twice never duplicates anything.
    """
    if demo_loaded():
        raise DemoError("Das Demo-Netzwerk ist bereits geladen. »lotse demo --reset« lädt es neu.")
    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)
    clock = _Clock(rng, now)
    topics, sectors = _terms()
    manager = _ensure_demo_manager()
    counts = DemoCounts()

    organisations = _seed_organisations(clock, topics, sectors)
    organisations.update(_fictional_organisations(rng, clock, topics, sectors, manager))
    counts.organisations = len(organisations)

    people = _seed_people(clock, organisations, topics)
    people.extend(_fictional_people(rng, clock, organisations, topics))
    people.append(_demo_member(organisations[MEMBER_ORGANISATION_KEY], topics))
    counts.people = len(people)

    counts.offers, counts.needs = _listings(rng, clock, organisations, people, topics, sectors)
    return counts


def _ensure_demo_manager() -> Any:
    from lotse.accounts.domain import create_manager

    email, password = DEMO_LOGINS["Netzwerk-Management"]
    user, _ = create_manager(email=email, password=password, name="Demo Netzwerk-Management")
    return user


def _demo_member(organisation: Organisation, topics: dict[str, Term]) -> Person:
    from allauth.account.models import EmailAddress

    from lotse.accounts.models import User

    email, password = DEMO_LOGINS["Mitglied"]
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=password, first_name="Jana", last_name="Beispiel"
        )
    else:
        user.set_password(password)
        user.is_active = True
        user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    person = Person.objects.filter(user=user).first() or Person(user=user)
    person.key = person.key or "jana-beispiel-demo"
    person.name = "Jana Beispiel"
    person.role_title = "Producerin, Hafenpixel Studio"
    person.bio = "Demo-Konto eines Mitglieds: verwaltet das Profil von Hafenpixel Studio."
    person.email = email
    person.city = "Hamburg"
    person.languages = ["de", "en"]
    person.is_fictional = True
    person.save()
    person.expertise.set([topics["videogenerierung"], topics["storytelling"]])
    Membership.objects.update_or_create(
        person=person,
        organisation=organisation,
        defaults={"role": MembershipRole.ADMIN, "title": "Producerin"},
    )
    return person


def _place(city: str) -> tuple[str, str, float, float]:
    for name, region, country, lat, lon, _weight in fictional_data()["places"]:
        if name == city:
            return region, country, lat, lon
    raise KeyError(city)


def _seed_organisations(
    clock: _Clock, topics: dict[str, Term], sectors: dict[str, Term]
) -> dict[str, Organisation]:
    data = seed_network()
    rows: list[Organisation] = []
    for item in data["organisations"]:
        latitude = longitude = None
        if item["city"]:
            # Only where the article names the city: its centre, not an address.
            _region, _country, latitude, longitude = _place(item["city"])
        created = clock.created_at()
        rows.append(
            Organisation(
                key=item["key"],
                kind=item["kind"],
                name=item["name"],
                short_description=item["short_description"],
                description=item["description"],
                website=item.get("website", ""),
                city=item["city"],
                region=item["region"],
                country="DE",
                latitude=latitude,
                longitude=longitude,
                is_fictional=False,
                source_note=data["sources"][item["source"]],
                created_at=created,
                last_confirmed=clock.now.date(),
            )
        )
    Organisation.objects.bulk_create(rows)
    by_key = {o.key: o for o in Organisation.objects.filter(key__in=[r.key for r in rows])}
    through_topics: list[tuple[int, int]] = []
    through_sectors: list[tuple[int, int]] = []
    for item in data["organisations"]:
        pk = by_key[item["key"]].pk
        through_topics += [(pk, topics[slug].pk) for slug in item["topics"]]
        through_sectors += [(pk, sectors[slug].pk) for slug in item["sectors"]]
    _bulk_m2m(Organisation.topics.through, "organisation", through_topics)
    _bulk_m2m(Organisation.sectors.through, "organisation", through_sectors)
    return by_key


def _fictional_organisations(
    rng: random.Random,
    clock: _Clock,
    topics: dict[str, Term],
    sectors: dict[str, Term],
    manager: Any,
) -> dict[str, Organisation]:
    rows: list[Organisation] = []
    items = fictional_data()["organisations"]
    for index, (key, name, kind, city, size, founded, short, _t, _s) in enumerate(items):
        region, country, lat, lon = _place(city)
        created = clock.created_at()
        verified = index % 3 == 0
        rows.append(
            Organisation(
                key=key,
                kind=kind,
                name=name,
                short_description=short,
                description=_fictional_description(rng, name, kind, city, short),
                website=f"https://{key}.example.com",
                email=f"kontakt@{key}.example.com",
                postcode=f"{rng.randrange(10000, 99999)}",
                city=city,
                region=region,
                country=country,
                latitude=round(lat + rng.uniform(-0.04, 0.04), 5),
                longitude=round(lon + rng.uniform(-0.06, 0.06), 5),
                size_band=size,
                founded_year=founded,
                verified=verified,
                verified_at=clock.now - dt.timedelta(days=rng.randrange(1, 200))
                if verified
                else None,
                verified_by=manager if verified else None,
                last_confirmed=clock.last_confirmed(created, stale=index % 5 == 1),
                is_fictional=True,
                source_note="Fiktiver Demo-Eintrag",
                created_at=created,
            )
        )
    Organisation.objects.bulk_create(rows)
    by_key = {o.key: o for o in Organisation.objects.filter(key__in=[r.key for r in rows])}
    through_topics: list[tuple[int, int]] = []
    through_sectors: list[tuple[int, int]] = []
    for key, *_rest, topic_slugs, sector_slugs in items:
        pk = by_key[key].pk
        through_topics += [(pk, topics[slug].pk) for slug in topic_slugs]
        through_sectors += [(pk, sectors[slug].pk) for slug in sector_slugs]
    _bulk_m2m(Organisation.topics.through, "organisation", through_topics)
    _bulk_m2m(Organisation.sectors.through, "organisation", through_sectors)
    return by_key


_DESCRIPTION_CLOSERS = (
    "Wir suchen den Austausch mit anderen Mitgliedern des Netzwerks.",
    "Ansprechbar für Pilotprojekte, Kooperationen und Praktika.",
    "Datenschutz und nachvollziehbare KI sind uns wichtig: "
    "Die letzte Entscheidung trifft ein Mensch.",
    "We work in German and English and welcome international partners.",
    "Gern teilen wir unsere Erfahrungen – auch die Fehlschläge.",
)


def _fictional_description(rng: random.Random, name: str, kind: str, city: str, short: str) -> str:
    kind_label = str(OrganisationKind(kind).label)
    return (
        f"**{name}** ({kind_label}, {city}) – {short}\n\n"
        f"{rng.choice(_DESCRIPTION_CLOSERS)}\n\n"
        "_Fiktiver Demo-Eintrag: Diese Organisation gibt es nicht._"
    )


def _seed_people(
    clock: _Clock, organisations: dict[str, Organisation], topics: dict[str, Term]
) -> list[Person]:
    data = seed_network()
    rows = [
        Person(
            key=item["key"],
            name=item["name"],
            role_title=item["role_title"],
            bio=f"{item['bio']}\n\nQuelle: {data['sources'][item['source']]}",
            visibility=Visibility.PUBLIC,
            is_fictional=False,
            created_at=clock.created_at(),
        )
        for item in data["people"]
    ]
    Person.objects.bulk_create(rows)
    by_key = {p.key: p for p in Person.objects.filter(key__in=[r.key for r in rows])}
    memberships: list[Membership] = []
    expertise: list[tuple[int, int]] = []
    for item in data["people"]:
        person = by_key[item["key"]]
        memberships += [
            Membership(person=person, organisation=organisations[org_key], title=title)
            for org_key, title in item["memberships"]
        ]
        expertise += [(person.pk, topics[slug].pk) for slug in item["expertise"]]
    Membership.objects.bulk_create(memberships)
    _bulk_m2m(Person.expertise.through, "person", expertise)
    return list(by_key.values())


def _fictional_people(
    rng: random.Random,
    clock: _Clock,
    organisations: dict[str, Organisation],
    topics: dict[str, Term],
) -> list[Person]:
    data = fictional_data()
    fictional_orgs = [o for o in organisations.values() if o.is_fictional]
    fictional_orgs.sort(key=lambda o: o.key)
    topic_slugs = sorted(topics)
    used_keys: set[str] = set()
    rows: list[Person] = []
    plans: list[tuple[Person, list[tuple[Organisation, str, str]], list[str]]] = []
    languages = (
        ["de"],
        ["de", "en"],
        ["de", "en"],
        ["en", "de"],
        ["de", "tr"],
        ["de", "pl"],
        ["en"],
    )

    def new_person(organisation: Organisation | None, index: int, *, admin: bool = False) -> None:
        while True:
            first, last = rng.choice(data["first_names"]), rng.choice(data["last_names"])
            key = f"{_ascii(first)}-{_ascii(last)}"
            if key not in used_keys:
                used_keys.add(key)
                break
        kind = organisation.kind if organisation else "network"
        role = rng.choice(data["roles"][kind])
        expertise = rng.sample(topic_slugs, k=rng.randint(1, 3))
        topic_name = topics[expertise[0]].name
        bio = rng.choice(data["bios"]).format(
            years=rng.randint(2, 15),
            topic=topic_name,
            org=organisation.name if organisation else "einem Medienhaus",
        )
        field_visibility: dict[str, str] = {}
        if index % 4 == 0:
            field_visibility["email"] = Visibility.PUBLIC
        if index % 7 == 3:
            field_visibility["bio"] = Visibility.MEMBERS
        if index % 11 == 5:
            field_visibility["memberships"] = Visibility.MEMBERS
        if index % 13 == 6:
            field_visibility["expertise"] = Visibility.HIDDEN
        visibility = Visibility.PUBLIC
        if index % 9 == 4:
            visibility = Visibility.MEMBERS
        if index in (17, 58):
            visibility = Visibility.HIDDEN
        domain = f"{organisation.key}.example.com" if organisation else "example.org"
        person = Person(
            key=key,
            name=f"{first} {last}",
            role_title=f"{role}, {organisation.name}" if organisation else f"freiberuflich: {role}",
            bio=f"{bio}\n\n_Fiktive Person (Demo)._",
            email=f"{_ascii(first)}.{_ascii(last)}@{domain}",
            city=organisation.city
            if organisation
            else rng.choice(["Hamburg", "Berlin", "München"]),
            languages=rng.choice(languages),
            visibility=visibility,
            field_visibility=field_visibility,
            is_fictional=True,
            created_at=clock.created_at(),
        )
        memberships: list[tuple[Organisation, str, str]] = []
        if organisation is not None:
            memberships.append(
                (organisation, MembershipRole.ADMIN if admin else MembershipRole.MEMBER, role)
            )
        plans.append((person, memberships, expertise))
        rows.append(person)

    index = 0
    for organisation in fictional_orgs:
        for position in range(2 if organisation.size_band in ("1", "2-9") else 3):
            new_person(organisation, index, admin=position == 0)
            index += 1
    for _ in range(8):  # freelancers without an organisation
        new_person(None, index)
        index += 1
    # Some people belong to a second organisation (a network, a university chair, ...).
    second_homes = [o for o in fictional_orgs if o.kind in ("network", "university_chair")]
    for _person, memberships, _expertise in plans[3::9]:
        extra = rng.choice(second_homes)
        if memberships and memberships[0][0] != extra:
            memberships.append((extra, MembershipRole.MEMBER, "Mitglied"))

    Person.objects.bulk_create(rows)
    by_key = {p.key: p for p in Person.objects.filter(key__in=[r.key for r in rows])}
    membership_rows: list[Membership] = []
    expertise_rows: list[tuple[int, int]] = []
    for person, memberships, expertise in plans:
        saved = by_key[person.key]
        membership_rows += [
            Membership(person=saved, organisation=org, role=role, title=title)
            for org, role, title in memberships
        ]
        expertise_rows += [(saved.pk, topics[slug].pk) for slug in expertise]
    Membership.objects.bulk_create(membership_rows)
    _bulk_m2m(Person.expertise.through, "person", expertise_rows)
    return list(by_key.values())


def _listings(
    rng: random.Random,
    clock: _Clock,
    organisations: dict[str, Organisation],
    people: Sequence[Person],
    topics: dict[str, Term],
    sectors: dict[str, Term],
) -> tuple[int, int]:
    data, seed = fictional_data(), seed_network()
    today = clock.now.date()
    contacts: dict[int, list[Person]] = {}
    for membership in Membership.objects.filter(person__in=people).select_related("person"):
        contacts.setdefault(membership.organisation_id, []).append(membership.person)
    fictional_orgs = sorted(
        (o for o in organisations.values() if o.is_fictional), key=lambda o: o.key
    )
    org_topics: dict[int, set[str]] = {}
    for pk, slug in Organisation.topics.through.objects.filter(
        organisation__in=fictional_orgs
    ).values_list("organisation_id", "term__slug"):
        org_topics.setdefault(pk, set()).add(slug)
    org_sectors: dict[int, set[str]] = {}
    for pk, slug in Organisation.sectors.through.objects.filter(
        organisation__in=fictional_orgs
    ).values_list("organisation_id", "term__slug"):
        org_sectors.setdefault(pk, set()).add(slug)

    def best_organisation(wanted: Sequence[str]) -> Organisation:
        scored = [
            (len(org_topics.get(o.pk, set()) & set(wanted)), rng.random(), o)
            for o in fictional_orgs
        ]
        scored.sort(key=lambda row: (-row[0], row[1]))
        return rng.choice([row[2] for row in scored[:4]])

    def build(model: type[Offer] | type[Need], items: list[Any], *, real: bool) -> int:
        rows: list[Offer | Need] = []
        m2m: list[tuple[str, list[str], list[str]]] = []
        for index, item in enumerate(items):
            if real:
                organisation = organisations[item["organisation"]]
                title, kind, wanted = item["title"], item["kind"], item["topics"]
                description = f"{item['description']}\n\nQuelle: {seed['sources'][item['source']]}"
                key, sector_slugs = item["key"], item["sectors"]
                scope, langs, residency = (
                    item["regional_scope"],
                    item["languages"],
                    DataResidency.ANY,
                )
                status, expires = ListingStatus.PUBLISHED, None
            else:
                title, kind, wanted, description = item
                organisation = best_organisation(wanted)
                description += "\n\n_Fiktiver Demo-Eintrag._"
                key = f"{organisation.key}-{slugify(title.replace('ß', 'ss'))}"[:120]
                sector_slugs = sorted(org_sectors.get(organisation.pk, set()))[:2]
                scope = rng.choice(RegionalScope.values)
                langs = rng.choice((["de"], ["de", "en"], ["en"], ["de", "en", "tr"]))
                residency = (DataResidency.ON_PREMISE, DataResidency.EU_CLOUD, DataResidency.ANY)[
                    index % 3
                ]
                status = ListingStatus.PUBLISHED
                expires = today + dt.timedelta(days=rng.randrange(30, 365))
                if index % 10 == 7:
                    expires = today - dt.timedelta(days=rng.randrange(1, 90))  # expired
                if index % 15 == 4:
                    status = ListingStatus.DRAFT
                if index % 19 == 9:
                    status = ListingStatus.CLOSED
            candidates = contacts.get(organisation.pk, [])
            rows.append(
                model(
                    key=key,
                    organisation=organisation,
                    contact=candidates[0] if candidates and not real else None,
                    title=title,
                    description=description,
                    kind=kind,
                    regional_scope=scope,
                    languages=langs,
                    data_residency=residency,
                    expires_on=expires,
                    status=status,
                    is_fictional=not real,
                    created_at=max(clock.created_at(), organisation.created_at),
                )
            )
            m2m.append((key, list(wanted), list(sector_slugs)))
        model.objects.bulk_create(rows)  # type: ignore[arg-type]
        saved = dict(model.objects.filter(key__in=[r.key for r in rows]).values_list("key", "pk"))
        owner = model._meta.model_name or ""
        _bulk_m2m(
            model.topics.through, owner, [(saved[k], topics[s].pk) for k, t, _ in m2m for s in t]
        )
        _bulk_m2m(
            model.sectors.through,
            owner,
            [(saved[k], sectors[s].pk) for k, _, ss in m2m for s in ss],
        )
        return len(rows)

    offers = build(Offer, seed["offers"], real=True) + build(Offer, data["offers"], real=False)
    needs = build(Need, data["needs"], real=False)
    return offers, needs


# --- Removing demo and synthetic data -------------------------------------------------------


@transaction.atomic
def remove_demo_data() -> DemoCounts:
    """Delete every demo and synthetic entry and the demo accounts; real user data stays."""
    from lotse.accounts.models import User

    orgs = Organisation.objects.filter(
        models.Q(is_fictional=True) | models.Q(key__in=seed_organisation_keys())
    )
    people = Person.objects.filter(
        models.Q(is_fictional=True) | models.Q(key__in=seed_person_keys())
    )
    org_ids = orgs.values("pk")
    person_ids = people.values("pk")
    counts = DemoCounts(
        organisations=orgs.count(),
        people=people.count(),
        offers=Offer.objects.filter(organisation__in=org_ids).count(),
        needs=Need.objects.filter(organisation__in=org_ids).count(),
    )
    # The big child tables go with raw deletes (fast, nothing loaded); the
    # organisations and people themselves through the ORM in batches, so that
    # rows of other apps pointing at them are handled by their on_delete rules.
    for model in (Offer, Need):
        listing_ids = model.objects.filter(organisation__in=org_ids).values("pk")
        owner = model._meta.model_name
        for listing_through in (model.topics.through, model.sectors.through):
            _raw_delete(listing_through._default_manager.filter(**{f"{owner}__in": listing_ids}))
    _raw_delete(Membership.objects.filter(organisation__in=org_ids))
    _raw_delete(Membership.objects.filter(person__in=person_ids))
    _raw_delete(Person.expertise.through._default_manager.filter(person__in=person_ids))
    for org_through in (Organisation.topics.through, Organisation.sectors.through):
        _raw_delete(org_through._default_manager.filter(organisation__in=org_ids))
    for model in (Offer, Need):
        _orm_delete(model.objects.filter(organisation__in=org_ids))
    _orm_delete(people)
    _orm_delete(orgs)
    User.objects.filter(email__in=[email for email, _ in DEMO_LOGINS.values()]).delete()
    return counts


def _ids_of(queryset: models.QuerySet[Any]) -> list[int]:
    return list(queryset.values_list("pk", flat=True))


def _raw_delete(queryset: models.QuerySet[Any], *, batch: int = 5000) -> None:
    # Materialise the ids first: subqueries on the table being deleted from are
    # not portable, and batches keep statements small.
    ids = _ids_of(queryset)
    manager = queryset.model._default_manager
    for start in range(0, len(ids), batch):
        chunk = manager.filter(pk__in=ids[start : start + batch])
        chunk._raw_delete(chunk.db)


def _orm_delete(queryset: models.QuerySet[Any], *, batch: int = 2000) -> None:
    ids = _ids_of(queryset)
    manager = queryset.model._default_manager
    for start in range(0, len(ids), batch):
        manager.filter(pk__in=ids[start : start + batch]).delete()


# --- Large synthetic networks ---------------------------------------------------------


_NAME_HEADS = (
    "Nord",
    "Süd",
    "Elb",
    "Isar",
    "Rhein",
    "Spree",
    "Main",
    "Alster",
    "Hafen",
    "Berg",
    "Wald",
    "Licht",
    "Klang",
    "Bild",
    "Wort",
    "Daten",
    "Pixel",
    "Stern",
    "Fluss",
    "Brücken",
    "Leucht",
    "Wellen",
    "Funken",
    "Mosaik",
    "Atlas",
    "Kompass",
    "Anker",
    "Lotsen",
    "Nebel",
    "Sonnen",
)
_NAME_TAILS = (
    "werk",
    "labor",
    "haus",
    "studio",
    "funk",
    "welle",
    "feld",
    "blick",
    "kontor",
    "forum",
    "schmiede",
    "raum",
    "punkt",
    "netz",
    "kreis",
    "quelle",
    "hafen",
    "garten",
    "turm",
    "zeit",
)
_KIND_SUFFIX: dict[str, tuple[str, ...]] = {
    "media_house": ("Verlag", "Mediengruppe", "Medien GmbH", "Zeitungsverlag"),
    "broadcaster": ("Radio", "TV", "Rundfunk", "Sender"),
    "production_studio": ("Film", "Studios", "Produktion", "Animation"),
    "agency": ("Agentur", "Kommunikation", "Creative", "Design"),
    "ai_company": ("AI", "KI GmbH", "Analytics", "Intelligence"),
    "startup": ("Labs", "Tech", "io", "UG"),
    "research_institute": ("Institut", "Forschungszentrum", "Research"),
    "university_chair": ("Lehrstuhl", "Professur", "Hochschullabor"),
    "cultural_organisation": ("Kulturverein e. V.", "Kulturhaus", "Theater", "Galerie"),
    "network": ("Netzwerk", "Initiative", "Verband", "Cluster"),
    "investor": ("Ventures", "Capital", "Fonds"),
    "public_body": ("Landesamt", "Förderstelle", "Medienanstalt"),
}
_SENTENCES = (
    "Wir entwickeln Lösungen für {a} und {b}.",
    "Schwerpunkt unserer Arbeit: {a}, ergänzt um {b}.",
    "Seit Jahren erproben wir {a} in der Praxis und beraten zu {b}.",
    "Our team builds tools for {a} and {b}.",
    "Gemeinsam mit Partnern aus der Region arbeiten wir an {a}.",
    "Wir suchen Partner für Projekte rund um {b}.",
)
_LISTING_NOUNS: dict[str, tuple[str, ...]] = {
    "offer": ("Beratung", "Workshop", "Plattform", "Service", "Schulung", "Prototyp", "API"),
    "need": ("Partner gesucht", "Lösung gesucht", "Expertise gesucht", "Pilotkunden gesucht"),
}


def synthetic_exists(seed: int) -> bool:
    return Organisation.objects.filter(key__startswith=f"{SYNTHETIC_PREFIX}{seed}-").exists()


def generate_network(
    *,
    size: int,
    listings: int | None = None,
    seed: int = DEFAULT_SEED,
    people_per_organisation: int = 3,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> DemoCounts:
    """Create ``size`` synthetic organisations, ``3 × size`` people and listings.

    ``listings`` offers and needs together (default ``2 × size``).  All rows are
    ``is_fictional=True`` with keys ``syn<seed>-…``; a second run with the same
    seed is refused (:class:`DemoError`).  ``progress(n)`` is called per batch
    with the number of rows (organisations, people, listings) just written.
    """
    if size < 1:
        raise DemoError("--size muss mindestens 1 sein.")
    listings = 2 * size if listings is None else listings
    if listings < 0:
        raise DemoError("--listings darf nicht negativ sein.")
    if synthetic_exists(seed):
        raise DemoError(
            f"Mit Seed {seed} wurde bereits ein Netzwerk erzeugt. "
            "Nutzen Sie --seed mit einem anderen Wert oder --reset."
        )
    topics, sectors = _terms()
    with transaction.atomic():
        return _generate(
            rng=random.Random(seed),
            prefix=f"{SYNTHETIC_PREFIX}{seed}",
            size=size,
            listings=listings,
            people_count=size * people_per_organisation,
            batch_size=batch_size,
            topics=topics,
            sectors=sectors,
            progress=progress or (lambda n: None),
        )


def _generate(
    *,
    rng: random.Random,
    prefix: str,
    size: int,
    listings: int,
    people_count: int,
    batch_size: int,
    topics: dict[str, Term],
    sectors: dict[str, Term],
    progress: Callable[[int], None],
) -> DemoCounts:
    now = timezone.now().replace(microsecond=0)
    clock = _Clock(rng, now)
    places = fictional_data()["places"]
    place_weights = [p[5] for p in places]
    kinds = OrganisationKind.values
    sizes = SizeBand.values
    topic_terms = sorted(topics.values(), key=lambda t: t.slug)
    sector_terms = sorted(sectors.values(), key=lambda t: t.slug)
    first_names = fictional_data()["first_names"]
    last_names = fictional_data()["last_names"]
    roles = fictional_data()["roles"]

    org_ids: list[int] = []
    org_meta: list[tuple[str, str]] = []  # (kind, city) per organisation, for people
    for start in range(0, size, batch_size):
        rows: list[Organisation] = []
        org_topics: list[list[Term]] = []
        org_sectors: list[list[Term]] = []
        for i in range(start, min(start + batch_size, size)):
            kind = rng.choice(kinds)
            city, region, country, lat, lon, _w = rng.choices(places, weights=place_weights)[0]
            chosen_topics = rng.sample(topic_terms, k=rng.randint(1, 3))
            chosen_sectors = rng.sample(sector_terms, k=rng.randint(1, 2))
            a, b = chosen_topics[0].name, chosen_topics[-1].name
            name = (
                f"{rng.choice(_NAME_HEADS)}{rng.choice(_NAME_TAILS)} "
                f"{rng.choice(_KIND_SUFFIX[kind])} {i + 1}"
            )
            created = clock.created_at()
            verified = rng.random() < 0.2
            rows.append(
                Organisation(
                    key=f"{prefix}-{i + 1}",
                    kind=kind,
                    name=name,
                    short_description=f"{OrganisationKind(kind).label} in {city}: {a}.",
                    description=" ".join(s.format(a=a, b=b) for s in rng.sample(_SENTENCES, k=2)),
                    website=f"https://{prefix}-{i + 1}.example.com",
                    city=city,
                    region=region,
                    country=country,
                    latitude=round(lat + rng.uniform(-0.08, 0.08), 5),
                    longitude=round(lon + rng.uniform(-0.12, 0.12), 5),
                    size_band=rng.choice(sizes),
                    founded_year=rng.randint(1950, now.year),
                    verified=verified,
                    verified_at=now if verified else None,
                    last_confirmed=clock.last_confirmed(created, stale=rng.random() < 0.2),
                    is_fictional=True,
                    source_note="Synthetischer Eintrag (lotse demo --size)",
                    created_at=created,
                )
            )
            org_topics.append(chosen_topics)
            org_sectors.append(chosen_sectors)
            org_meta.append((kind, city))
        saved = Organisation.objects.bulk_create(rows)
        ids = _ids(Organisation, saved)
        org_ids += ids
        _bulk_m2m(
            Organisation.topics.through,
            "organisation",
            [(pk, t.pk) for pk, terms in zip(ids, org_topics, strict=True) for t in terms],
        )
        _bulk_m2m(
            Organisation.sectors.through,
            "organisation",
            [(pk, t.pk) for pk, terms in zip(ids, org_sectors, strict=True) for t in terms],
        )
        progress(len(rows))

    languages = (["de"], ["de", "en"], ["de", "en"], ["en"], ["de", "tr"], ["de", "pl"])
    person_ids: list[int] = []
    for start in range(0, people_count, batch_size):
        people: list[Person] = []
        homes: list[list[int]] = []
        expertise: list[list[Term]] = []
        for i in range(start, min(start + batch_size, people_count)):
            home = i % size if i < size else rng.randrange(size)
            kind, city = org_meta[home]
            first, last = rng.choice(first_names), rng.choice(last_names)
            chosen = rng.sample(topic_terms, k=rng.randint(1, 2))
            roll = rng.random()
            visibility = (
                Visibility.HIDDEN
                if roll < 0.01
                else Visibility.MEMBERS
                if roll < 0.06
                else Visibility.PUBLIC
            )
            people.append(
                Person(
                    key=f"{prefix}-p{i + 1}",
                    name=f"{first} {last}",
                    role_title=rng.choice(roles[kind]),
                    bio=f"Arbeitet zu {chosen[0].name}.",
                    email=f"{_ascii(first)}.{_ascii(last)}.{i + 1}@example.org",
                    city=city,
                    languages=rng.choice(languages),
                    visibility=visibility,
                    is_fictional=True,
                    created_at=clock.created_at(),
                )
            )
            member_of = [org_ids[home]]
            if rng.random() < 0.1:
                other = org_ids[rng.randrange(size)]
                if other != member_of[0]:
                    member_of.append(other)
            homes.append(member_of)
            expertise.append(chosen)
        saved_people = Person.objects.bulk_create(people)
        ids = _ids(Person, saved_people)
        person_ids += ids
        _insert_rows(
            Membership,
            ("person_id", "organisation_id", "role", "title"),
            [
                (
                    pk,
                    org,
                    MembershipRole.ADMIN if n == 0 and pk % 3 == 0 else MembershipRole.MEMBER,
                    "",
                )
                for pk, orgs in zip(ids, homes, strict=True)
                for n, org in enumerate(orgs)
            ],
        )
        _bulk_m2m(
            Person.expertise.through,
            "person",
            [(pk, t.pk) for pk, terms in zip(ids, expertise, strict=True) for t in terms],
        )
        progress(len(people))

    today = now.date()
    offers_total = (listings + 1) // 2
    for model, total, kinds_of, noun_key in (
        (Offer, offers_total, OfferKind.values, "offer"),
        (Need, listings - offers_total, NeedKind.values, "need"),
    ):
        owner = model._meta.model_name or ""
        for start in range(0, total, batch_size):
            listing_rows: list[Offer | Need] = []
            listing_topics: list[list[Term]] = []
            listing_sectors: list[Term] = []
            for i in range(start, min(start + batch_size, total)):
                org_index = rng.randrange(size)
                chosen = rng.sample(topic_terms, k=rng.randint(1, 3))
                listing_rows.append(
                    model(
                        key=f"{prefix}-{noun_key[0]}{i + 1}",
                        organisation_id=org_ids[org_index],
                        contact_id=person_ids[org_index] if org_index < len(person_ids) else None,
                        title=f"{chosen[0].name}: {rng.choice(_LISTING_NOUNS[noun_key])}",
                        description=" ".join(
                            s.format(a=chosen[0].name, b=chosen[-1].name)
                            for s in rng.sample(_SENTENCES, k=2)
                        ),
                        kind=rng.choice(kinds_of),
                        regional_scope=rng.choice(RegionalScope.values),
                        languages=rng.choice(languages),
                        data_residency=rng.choice(DataResidency.values),
                        expires_on=today + dt.timedelta(days=rng.randrange(-60, 365)),
                        status=ListingStatus.PUBLISHED
                        if rng.random() < 0.9
                        else ListingStatus.CLOSED,
                        is_fictional=True,
                        created_at=clock.created_at(),
                    )
                )
                listing_topics.append(chosen)
                listing_sectors.append(rng.choice(sector_terms))
            saved_listings = model.objects.bulk_create(listing_rows)  # type: ignore[arg-type]
            ids = _ids(model, saved_listings)
            _bulk_m2m(
                model.topics.through,
                owner,
                [(pk, t.pk) for pk, terms in zip(ids, listing_topics, strict=True) for t in terms],
            )
            _bulk_m2m(
                model.sectors.through,
                owner,
                [(pk, t.pk) for pk, t in zip(ids, listing_sectors, strict=True)],
            )
            progress(len(listing_rows))

    return DemoCounts(
        organisations=size,
        people=people_count,
        offers=offers_total,
        needs=listings - offers_total,
    )


def _ids(model: type[models.Model], saved: Sequence[models.Model]) -> list[int]:
    """Primary keys of bulk-created rows (returned by both SQLite ≥ 3.35 and PostgreSQL)."""
    ids = [obj.pk for obj in saved]
    if any(pk is None for pk in ids):  # pragma: no cover - very old SQLite only
        keys = [obj.key for obj in saved]  # type: ignore[attr-defined]
        by_key = dict(model._default_manager.filter(key__in=keys).values_list("key", "pk"))
        ids = [by_key[key] for key in keys]
    return ids
