"""A small network for matchmaking tests: organisations, people with accounts, listings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from lotse.accounts.models import User
from lotse.ecosystem.domain.listings import create_listing
from lotse.ecosystem.domain.organisations import create_organisation, ensure_person_for_user
from lotse.ecosystem.domain.people import update_person
from lotse.ecosystem.models import Membership, MembershipRole, Need, Offer, Organisation, Term


@dataclass
class Network:
    hafen: Organisation  # media house in Hamburg with a need
    kiel: Organisation  # AI company in Schleswig-Holstein, on-premise subtitles
    cloud: Organisation  # AI company in Bayern, US cloud subtitles
    studio: Organisation  # production studio in Hamburg, consulting
    need: Need
    offer_onprem: Offer
    offer_cloud: Offer
    offer_consulting: Offer
    offer_unrelated: Offer
    users: dict[str, User]


def terms(*slugs: str) -> list[Term]:
    found = list(Term.objects.filter(slug__in=slugs))
    assert len(found) == len(slugs), slugs
    return found


@pytest.fixture
def person_for(make_user: Callable[..., User]) -> Callable[..., User]:
    def make(
        email: str, organisation: Organisation | None, *, name: str = "", **fields: Any
    ) -> User:
        user = make_user(email)
        person = ensure_person_for_user(user)
        updates: dict[str, Any] = {"name": name or email.split("@")[0].title(), "email": email}
        expertise = fields.pop("expertise", None)
        updates.update(fields)
        update_person(person, expertise=expertise, **updates)
        if organisation is not None:
            Membership.objects.create(
                person=person, organisation=organisation, role=MembershipRole.ADMIN
            )
        return user

    return make


@pytest.fixture
def network(db: None, person_for: Callable[..., User]) -> Network:
    hafen = create_organisation(
        name="Hafenblatt Verlag",
        kind="media_house",
        city="Hamburg",
        region="Hamburg",
        sectors=terms("presse"),
    )
    kiel = create_organisation(
        name="Förde KI GmbH",
        kind="ai_company",
        city="Kiel",
        region="Schleswig-Holstein",
        topics=terms("spracherkennung-untertitelung"),
    )
    cloud = create_organisation(
        name="Alpen Speech AG",
        kind="ai_company",
        city="München",
        region="Bayern",
    )
    studio = create_organisation(
        name="Elbstudio",
        kind="production_studio",
        city="Hamburg",
        region="Hamburg",
    )
    need = create_listing(
        Need,
        organisation=hafen,
        title="Untertitel für Lokalvideos",
        kind="solution",
        topics=terms("spracherkennung-untertitelung", "barrierefreiheit"),
        sectors=terms("presse"),
        data_residency="on_premise",
        languages=["de"],
        regional_scope="regional",
    )
    offer_onprem = create_listing(
        Offer,
        organisation=kiel,
        title="Untertitelung auf eigenen Servern",
        kind="product",
        topics=terms("spracherkennung-untertitelung", "barrierefreiheit"),
        sectors=terms("presse", "rundfunk"),
        data_residency="on_premise",
        languages=["de", "en"],
        regional_scope="national",
    )
    offer_cloud = create_listing(
        Offer,
        organisation=cloud,
        title="Cloud-Transkription",
        kind="product",
        topics=terms("spracherkennung-untertitelung"),
        data_residency="any",
        languages=["en"],
        regional_scope="regional",
    )
    offer_consulting = create_listing(
        Offer,
        organisation=studio,
        title="Beratung Barrierefreiheit",
        kind="consulting",
        topics=terms("barrierefreiheit"),
        languages=["de"],
        regional_scope="local",
    )
    offer_unrelated = create_listing(
        Offer,
        organisation=studio,
        title="Musik-Generierung",
        kind="product",
        topics=terms("audiogenerierung"),
        sectors=terms("musik"),
    )
    users = {
        "hafen": person_for(
            "anna@hafenblatt.example", hafen, name="Anna Hafen", expertise=terms("redaktion")
        ),
        "kiel": person_for(
            "ben@foerde.example",
            kiel,
            name="Ben Förde",
            expertise=terms("spracherkennung-untertitelung"),
        ),
        "cloud": person_for(
            "cem@alpen.example",
            cloud,
            name="Cem Alpen",
            expertise=terms("spracherkennung-untertitelung"),
        ),
        "studio": person_for(
            "dora@elbstudio.example", studio, name="Dora Elb", expertise=terms("storytelling")
        ),
    }
    return Network(
        hafen,
        kiel,
        cloud,
        studio,
        need,
        offer_onprem,
        offer_cloud,
        offer_consulting,
        offer_unrelated,
        users,
    )
