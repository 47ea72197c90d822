from __future__ import annotations

import pytest
from django.test import Client

from lotse.ecosystem.demo import load_demo_network
from lotse.events.demo import CONFERENCE_SLUG, load_demo_events
from lotse.events.models import Event, EventSeries, Session

pytestmark = pytest.mark.django_db


def test_demo_events_use_the_seed_speakers_and_mark_the_rest(client: Client) -> None:
    load_demo_network()
    counts = load_demo_events()
    assert counts.events == 8
    assert load_demo_events().events == 0  # idempotent
    conference = Event.objects.get(slug=CONFERENCE_SLUG)
    assert conference.venue is not None
    assert conference.venue.rooms.count() == 3
    named = Session.objects.filter(event=conference, is_fictional=False)
    speakers = {p.key for s in named for p in s.speakers.all()}
    assert speakers == {
        "dan-maag",
        "albert-bozesan",
        "arne-kittler",
        "thomas-brouwer",
        "max-mattis-harder",
        "bruno-alexander",
    }
    assert all("(Demo)" in s.title for s in Session.objects.filter(is_fictional=True))
    series = EventSeries.objects.get(slug="ki-at-kultur")
    titles = list(series.episodes.order_by("starts_at").values_list("title", flat=True))
    assert titles[0] == "KI@KULTUR: KI-Unterstützung bei Berichten und Anträgen"
    assert "KI@KULTUR: Datenschutz" in titles
    page = client.get(f"/veranstaltungen/{CONFERENCE_SLUG}/programm/").content.decode()
    assert "Dan Maag" in page
    assert "Bühne 3" in page
    assert client.get("/veranstaltungen/reihe/ki-at-kultur/").status_code == 200
