"""Demo events for the demo network: only what the seed articles say, the rest marked.

``load_demo_events()`` is idempotent (runs again without duplicates) and expects the
demo network (``lotse.ecosystem.demo.load_demo_network``) for the speakers' profiles;
missing profiles are simply left out.

From the seeds:

- Seed 000: the first AI Media Leaders Konferenz on 27 November, three stages, more than
  40 speakers, "viel Raum für Austausch"; on stage: Dan Maag and Albert Bozesan (what
  generative AI can do today), a conversation with Arne Kittler and Thomas Brouwer (from AI
  innovation to a marketable product), Max Mattis Harder and Bruno Alexander (how AI
  changes storytelling and story development).
- Seed 002: the KI@KULTUR webinar series of STADTKULTUR HAMBURG since spring 2025:
  reports and grant applications, then PR, event management and social media, a special
  in-person workshop "KI und Demokratie" at the Hamburger Ratschlag Stadtteilkultur, data
  protection in December, strategic use of AI in early 2026; Dan Thy Nguyen (fluxus2)
  developed the concept and ran the first webinars.

Not in the seeds, therefore placeholders: the year of the conference (2025, from the
context of seed 002), every time of day, the stage names, the venue, the exact months of
the first webinars, the capacity and the meeting set-up.  Sessions that the seeds do not
name are marked fictional.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.db import transaction

from lotse.ecosystem.models import Organisation, Person, Term
from lotse.events.domain.programme import create_event, create_series, create_session, create_venue
from lotse.events.models import Event, EventSeries, MeetingSlot, Venue

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
CONFERENCE_SLUG = "ai-media-leaders-konferenz-2025"
SERIES_SLUG = "ki-at-kultur"
PLACEHOLDER = "Uhrzeit, Bühne und Ort sind Platzhalter der Demo (nicht in der Quelle)."


@dataclass
class DemoEventCounts:
    events: int
    sessions: int


def _t(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BERLIN)


def _people(*keys: str) -> list[Person]:
    found = {p.key: p for p in Person.objects.filter(key__in=keys)}
    return [found[k] for k in keys if k in found]


def _terms(*slugs: str) -> list[Term]:
    return list(Term.objects.filter(slug__in=slugs, status="approved"))


def _org(key: str) -> Organisation | None:
    return Organisation.objects.filter(key=key).first()


@transaction.atomic
def load_demo_events() -> DemoEventCounts:
    """Create the demo conference and the KI@KULTUR series (once)."""
    if Event.objects.filter(slug=CONFERENCE_SLUG).exists():
        return DemoEventCounts(events=0, sessions=0)
    sessions = 0
    day = dt.date(2025, 11, 27)
    venue = Venue.objects.filter(name="Konferenzort (Demo)").first() or create_venue(
        name="Konferenzort (Demo)",
        city="Hamburg",
        is_fictional=True,
        rooms=["Bühne 1", "Bühne 2", "Bühne 3"],
    )
    stage = list(venue.rooms.order_by("position"))
    conference = create_event(
        slug=CONFERENCE_SLUG,
        title="AI Media Leaders Konferenz",
        kind="conference",
        starts_at=_t(day, 9),
        ends_at=_t(day, 18),
        venue=venue,
        host=_org("ai-media-leaders") or _org("next-media-hamburg"),
        summary=(
            "Die erste Fachkonferenz im deutschsprachigen Raum zu KI in der Medien-, "
            "Digital- und Kreativwirtschaft: über 40 Speaker*innen auf drei Bühnen, "
            "mit viel Raum für Austausch."
        ),
        description=(
            "Die AI Media Leaders Konferenz bringt Führungskräfte und AI-Heads zusammen, "
            "fördert den direkten Austausch, schafft neue Verbindungen und bietet Raum, um "
            "die Bedürfnisse auch in Richtung Politik klar zu adressieren.\n\n"
            "Hier steht nur ein Ausschnitt des Programms: die Programmpunkte, die das "
            "Interview nennt. " + PLACEHOLDER
        ),
        capacity=300,
        meeting_mode="batch",
        meeting_tables=20,
        meeting_max_per_person=5,
        source_note="Seed 000: Interview mit Dr. Nina Klaß (PANTA); Jahr aus dem Kontext.",
        topics=_terms("personalisierung", "distribution", "storytelling"),
    )
    named = [
        (
            "Was generative KI heute schon kann",
            "talk",
            0,
            (10, 0),
            45,
            ("dan-maag", "albert-bozesan"),
            ("videogenerierung", "film"),
            "Der Filmproduzent Dan Maag und Albert Bozesan, Creative Director AI Media bei "
            "Storybook Studios, demonstrieren, was mit generativer KI heute schon möglich ist "
            "und wie sie mit KI eine neue Ära der Unterhaltung einläuten wollen.",
        ),
        (
            "Von der KI-Innovation zum marktfähigen Produkt",
            "fireside",
            1,
            (11, 0),
            45,
            ("arne-kittler", "thomas-brouwer"),
            (),
            "Gespräch mit Arne Kittler und Thomas Brouwer: Wie schafft man es, eine "
            "KI-Innovation in ein marktfähiges Produkt zu übersetzen? Thomas Brouwer bringt "
            "Einblicke aus der internationalen Produktpraxis mit.",
        ),
        (
            "KI in Storytelling und Stoffentwicklung",
            "talk",
            2,
            (14, 0),
            45,
            ("max-mattis-harder", "bruno-alexander"),
            ("storytelling", "film"),
            "Max Mattis Harder und Bruno Alexander von „Kleine Brüder GmbH“, die mit „Der "
            "Discounter“ gezeigt haben, wie kreativ und mutig neue Formate entstehen können, "
            "sprechen darüber, wie KI das Storytelling und die Stoffentwicklung verändert.",
        ),
    ]
    for title, kind, room, (hour, minute), minutes, speakers, topics, text in named:
        start = _t(day, hour, minute)
        create_session(
            conference,
            title=title,
            kind=kind,
            room=stage[room],
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=minutes),
            speakers=_people(*speakers),
            topics=_terms(*topics),
            description=text + "\n\n" + PLACEHOLDER,
        )
        sessions += 1
    fictional = [
        (
            "Personalisierung und Distribution (Demo)",
            "panel",
            0,
            (15, 0),
            ("empfehlung-personalisierung", "distribution"),
        ),
        (
            "Verantwortung und Transparenz beim KI-Einsatz (Demo)",
            "panel",
            1,
            (15, 0),
            ("ki-kompetenz",),
        ),
        (
            "Workshop: Erste Schritte mit KI im Newsroom (Demo)",
            "workshop",
            2,
            (16, 0),
            ("redaktion",),
        ),
    ]
    for title, kind, room, (hour, minute), topics in fictional:
        start = _t(day, hour, minute)
        create_session(
            conference,
            title=title,
            kind=kind,
            room=stage[room],
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=60),
            topics=_terms(*topics),
            capacity=30 if kind == "workshop" else None,
            is_fictional=True,
            description="Fiktiver Programmpunkt für die Demo; nicht in der Quelle.",
        )
        sessions += 1
    for index in range(8):  # 1:1 meeting slots in the afternoon (placeholder)
        start = _t(day, 12) + dt.timedelta(minutes=15 * index)
        MeetingSlot.objects.create(
            event=conference, starts_at=start, ends_at=start + dt.timedelta(minutes=15)
        )

    series = EventSeries.objects.filter(slug=SERIES_SLUG).first() or create_series(
        slug=SERIES_SLUG,
        title="KI@KULTUR",
        organiser_name="STADTKULTUR HAMBURG",
        description=(
            "Die Webinar-Reihe unterstützt seit Frühjahr 2025 die Mitglieder des "
            "Dachverbandes STADTKULTUR HAMBURG und ihre Mitarbeitenden dabei, Künstliche "
            "Intelligenz praxisnah und effizient im Arbeitsalltag einzusetzen – immer mit "
            "konkreten Beispielen aus der Hamburger Stadtteilkultur und mit Blick auf "
            "Risiken wie Halluzinationen, Abhängigkeiten von Großkonzernen und Bias."
        ),
        source_note="Seed 002: Beitrag von Heiko Gerken über KI@KULTUR",
    )
    episodes: list[tuple[str, dt.date, str, tuple[str, ...], tuple[str, ...]]] = [
        (
            "KI-Unterstützung bei Berichten und Anträgen",
            dt.date(2025, 4, 10),
            "webinar",
            ("berichte-antraege",),
            ("dan-thy-nguyen",),
        ),
        (
            "KI in der Öffentlichkeitsarbeit",
            dt.date(2025, 5, 8),
            "webinar",
            ("pr-social-media",),
            (),
        ),
        (
            "KI im Veranstaltungsmanagement",
            dt.date(2025, 6, 12),
            "webinar",
            ("veranstaltungsmanagement",),
            (),
        ),
        ("KI und Social Media", dt.date(2025, 9, 11), "webinar", ("pr-social-media",), ()),
        (
            "KI und Demokratie – Präsenzworkshop beim Hamburger Ratschlag Stadtteilkultur",
            dt.date(2025, 10, 16),
            "workshop",
            ("ki-demokratie",),
            (),
        ),
        ("Datenschutz", dt.date(2025, 12, 11), "webinar", ("datenschutz",), ()),
        ("Strategischer Einsatz von KI", dt.date(2026, 1, 22), "webinar", ("ki-kompetenz",), ()),
    ]
    host = _org("stadtkultur-hamburg")
    for number, (topic, date, kind, ep_topics, ep_speakers) in enumerate(episodes, start=1):
        start = _t(date, 16)
        episode = create_event(
            slug=f"ki-at-kultur-{number}",
            title=f"KI@KULTUR: {topic}",
            kind=kind,
            series=series,
            episode_number=number,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=90),
            online_url="https://example.org/ki-at-kultur" if kind == "webinar" else "",
            host=host,
            is_ai_literacy_training=True,
            topics=_terms(*ep_topics),
            summary=f"Folge {number} der Webinar-Reihe KI@KULTUR von STADTKULTUR HAMBURG.",
            description=(
                "Thema laut Quelle; Datum, Uhrzeit und Link sind Platzhalter der Demo "
                "(die Quelle nennt nur die Reihenfolge, den Dezember für Datenschutz und "
                "Anfang 2026 für den strategischen Einsatz)."
            ),
            source_note="Seed 002",
        )
        create_session(
            episode,
            title=topic,
            kind="workshop" if kind == "workshop" else "talk",
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=90),
            speakers=_people(*ep_speakers),
            topics=_terms(*ep_topics),
        )
        sessions += 1
    return DemoEventCounts(events=1 + len(episodes), sessions=sessions)
