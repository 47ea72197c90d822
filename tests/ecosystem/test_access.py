"""The access matrix: who may view, edit and delete what.

Roles: anonymous, a logged-in account without organisation ("outsider"), a plain
member of the organisation ("colleague"), the organisation's profile admin
("member"), the admin of another organisation ("other") and a network manager.
Objects: the organisation, people with each visibility, offers and needs that are
published, drafts or expired.  Every cell is checked twice: at the function level
(lotse.ecosystem.access) and through the HTTP views.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils import timezone

from lotse.ecosystem import access
from lotse.ecosystem.domain.listings import create_listing
from lotse.ecosystem.domain.organisations import create_organisation, ensure_person_for_user
from lotse.ecosystem.domain.people import create_person
from lotse.ecosystem.models import Membership, MembershipRole, Need, Offer, Person

ROLES = ("anonymous", "outsider", "colleague", "member", "other", "manager")


@dataclass
class World:
    users: dict[str, Any]
    organisation: Any
    people: dict[str, Person]
    listings: dict[tuple[str, str], Any]


@pytest.fixture
def world(make_user: Any) -> World:
    organisation = create_organisation(name="Hafenmedien GmbH", kind="media_house")
    other_organisation = create_organisation(name="Isar Studio", kind="production_studio")

    def account(email: str, org: Any = None, role: str = MembershipRole.ADMIN, **extra: Any) -> Any:
        user = make_user(email, **extra)
        person = ensure_person_for_user(user)
        if org is not None:
            Membership.objects.create(person=person, organisation=org, role=role)
        return user

    users = {
        "anonymous": AnonymousUser(),
        "outsider": account("outsider@example.org"),
        "colleague": account("colleague@example.org", organisation, MembershipRole.MEMBER),
        "member": account("member@example.org", organisation),
        "other": account("other@example.org", other_organisation),
        "manager": account("manager@example.org", manager=True),
    }
    people = {}
    for visibility in ("public", "members", "hidden"):
        person = create_person(name=f"Person {visibility}", visibility=visibility)
        Membership.objects.create(person=person, organisation=organisation)
        people[visibility] = person
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    states = {
        "published": {"status": "published"},
        "draft": {"status": "draft"},
        "expired": {"status": "published", "expires_on": yesterday},
    }
    listings = {}
    for model, kind in ((Offer, "product"), (Need, "solution")):
        for state, fields in states.items():
            listings[(model.__name__.lower(), state)] = create_listing(
                model,
                organisation=organisation,
                title=f"{model.__name__} {state}",
                kind=kind,
                **fields,
            )
    return World(users, organisation, people, listings)


def _refetch(user: Any) -> Any:
    """A fresh user object, so no cached lookups leak between cells."""
    if not user.is_authenticated:
        return AnonymousUser()
    return type(user).objects.get(pk=user.pk)


def _expect(allowed: set[str]) -> list[tuple[str, bool]]:
    return [(role, role in allowed) for role in ROLES]


ALL = set(ROLES)
LOGGED_IN = ALL - {"anonymous"}
IN_ORGANISATION = {"colleague", "member", "manager"}
ADMINS = {"member", "manager"}
MANAGER = {"manager"}


# --- Function level -----------------------------------------------------------------

# Each case is one row of the matrix: (action, object) -> the roles that are allowed.
# The test checks every role of the row and names all wrong cells at once.


def _check_row(check: Any, obj: Any, world: World, allowed: set[str]) -> None:
    wrong = [
        role for role in ROLES if check(_refetch(world.users[role]), obj) is not (role in allowed)
    ]
    assert not wrong, f"{check.__name__}: wrong answer for {wrong}"


ORGANISATION_ROWS = [("view", ALL), ("edit", ADMINS), ("delete", MANAGER)]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "allowed"), ORGANISATION_ROWS)
def test_organisation_matrix(world: World, action: str, allowed: set[str]) -> None:
    check = getattr(access, f"can_{action}_organisation")
    _check_row(check, world.organisation, world, allowed)


PERSON_ROWS = [
    ("view", "public", ALL),
    ("view", "members", LOGGED_IN),
    # A hidden account-less profile: its keepers (admins of its organisation) and managers.
    ("view", "hidden", ADMINS),
    *[("edit", visibility, ADMINS) for visibility in ("public", "members", "hidden")],
    *[("delete", visibility, MANAGER) for visibility in ("public", "members", "hidden")],
]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "visibility", "allowed"), PERSON_ROWS)
def test_person_matrix(world: World, action: str, visibility: str, allowed: set[str]) -> None:
    check = getattr(access, f"can_{action}_person")
    _check_row(check, world.people[visibility], world, allowed)


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["view", "edit", "delete"])
def test_own_hidden_profile_is_always_mine(world: World, action: str) -> None:
    user = world.users["outsider"]
    person = user.person
    person.visibility = "hidden"
    person.save()
    check = getattr(access, f"can_{action}_person")
    assert check(_refetch(user), person) is True
    # ... and a profile with an account is edited by nobody but its owner (and managers).
    assert access.can_edit_person(_refetch(world.users["member"]), person) is False
    assert access.can_view_person(_refetch(world.users["member"]), person) is False


LISTING_ROWS = [
    *[(entity, "view", "published", ALL) for entity in ("offer", "need")],
    *[
        (entity, "view", state, IN_ORGANISATION)
        for entity in ("offer", "need")
        for state in ("draft", "expired")
    ],
    *[
        (entity, "edit", state, IN_ORGANISATION)
        for entity in ("offer", "need")
        for state in ("published", "draft", "expired")
    ],
    *[
        (entity, "delete", state, ADMINS)
        for entity in ("offer", "need")
        for state in ("published", "draft", "expired")
    ],
]


@pytest.mark.django_db
@pytest.mark.parametrize(("entity", "action", "state", "allowed"), LISTING_ROWS)
def test_listing_matrix(
    world: World, entity: str, action: str, state: str, allowed: set[str]
) -> None:
    check = getattr(access, f"can_{action}_listing")
    _check_row(check, world.listings[(entity, state)], world, allowed)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "allowed"), _expect({"outsider", "colleague", "other"}))
def test_who_may_claim(world: World, role: str, allowed: bool) -> None:
    # Profile admins already own it; managers do not need to claim.
    user = _refetch(world.users[role])
    expected = allowed or role == "manager"
    assert access.can_claim_organisation(user, world.organisation) is expected


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "allowed"), _expect(ADMINS))
def test_who_may_manage_members(world: World, role: str, allowed: bool) -> None:
    assert access.can_manage_members(_refetch(world.users[role]), world.organisation) is allowed


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "allowed"), _expect(MANAGER))
def test_who_may_manage_the_network(world: World, role: str, allowed: bool) -> None:
    user = _refetch(world.users[role])
    assert access.can_manage_network(user) is allowed
    assert access.can_decide_claims(user) is allowed


@pytest.mark.django_db
def test_visible_querysets_agree_with_the_single_checks(world: World) -> None:
    for role in ROLES:
        user = _refetch(world.users[role])
        listed_people = set(
            access.visible_people(
                user, Person.objects.filter(pk__in=[p.pk for p in world.people.values()])
            )
        )
        for visibility, person in world.people.items():
            if visibility != "hidden":  # hidden profiles are never listed, see below
                assert (person in listed_people) is access.can_view_person(user, person), role
        assert (world.people["hidden"] in listed_people) is (role == "manager")
        for (entity, _state), listing in world.listings.items():
            model = Offer if entity == "offer" else Need
            listed = access.visible_listings(user, model.objects.filter(pk=listing.pk)).exists()
            assert listed is access.can_view_listing(user, listing), (role, entity, _state)


# --- Through the HTTP views ---------------------------------------------------------


def _client(world: World, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def _status(allowed: bool, role: str, *, hidden: bool = False) -> int:
    if allowed:
        return 200
    if role == "anonymous":
        return 302  # to the login page
    return 404 if hidden else 403


def _http_expect(
    allowed: set[str], *, hidden_from: set[str] = frozenset()
) -> list[tuple[str, int]]:  # type: ignore[assignment]
    cases = []
    for role in ROLES:
        if role in hidden_from:
            cases.append((role, 404))
        else:
            cases.append((role, _status(role in allowed, role)))
    return cases


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "role", "status"),
    [
        *[("view", role, 200) for role in ROLES],
        *[("edit", role, status) for role, status in _http_expect(ADMINS)],
        *[("delete", role, status) for role, status in _http_expect(MANAGER)],
    ],
)
def test_organisation_pages(world: World, action: str, role: str, status: int) -> None:
    key = world.organisation.key
    url = {
        "view": f"/verzeichnis/organisationen/{key}/",
        "edit": f"/verzeichnis/organisationen/{key}/bearbeiten/",
        "delete": f"/verzeichnis/organisationen/{key}/loeschen/",
    }[action]
    response = _client(world, role).get(url)
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("visibility", "role", "status"),
    [
        *[("public", role, 200) for role in ROLES],
        *[("members", role, 404 if role == "anonymous" else 200) for role in ROLES],
        *[("hidden", role, 200 if role in ADMINS else 404) for role in ROLES],
    ],
)
def test_person_pages_hide_with_404(world: World, visibility: str, role: str, status: int) -> None:
    person = world.people[visibility]
    response = _client(world, role).get(f"/verzeichnis/personen/{person.key}/")
    assert response.status_code == status
    if status == 404:
        assert person.name not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("visibility", "role", "status"),
    [
        *[("public", role, status) for role, status in _http_expect(ADMINS)],
        # Someone who may not see a hidden profile learns nothing: 404, not 403.
        *[
            ("hidden", role, status)
            for role, status in _http_expect(ADMINS, hidden_from={"outsider", "colleague", "other"})
        ],
    ],
)
def test_person_edit_page(world: World, visibility: str, role: str, status: int) -> None:
    person = world.people[visibility]
    response = _client(world, role).get(f"/verzeichnis/personen/{person.key}/bearbeiten/")
    assert response.status_code == status


def _listing_url(listing: Any, action: str) -> str:
    base = "angebote" if isinstance(listing, Offer) else "bedarfe"
    suffix = {"view": "", "edit": "bearbeiten/", "delete": "loeschen/"}[action]
    return f"/verzeichnis/{base}/{listing.key}/{suffix}"


OUTSIDERS = {"outsider", "other"}
LISTING_HTTP_CASES = [
    *[(entity, "view", "published", role, 200) for entity in ("offer", "need") for role in ROLES],
    *[
        (entity, "view", state, role, 200 if role in IN_ORGANISATION else 404)
        for entity in ("offer", "need")
        for state in ("draft", "expired")
        for role in ROLES
    ],
    *[
        (entity, "edit", "published", role, status)
        for entity in ("offer", "need")
        for role, status in _http_expect(IN_ORGANISATION)
    ],
    *[
        (entity, "edit", state, role, status)
        for entity in ("offer", "need")
        for state in ("draft", "expired")
        for role, status in _http_expect(IN_ORGANISATION, hidden_from=OUTSIDERS)
    ],
    *[
        (entity, "delete", "published", role, status)
        for entity in ("offer", "need")
        for role, status in _http_expect(ADMINS)
    ],
    *[
        (entity, "delete", state, role, status)
        for entity in ("offer", "need")
        for state in ("draft", "expired")
        for role, status in _http_expect(ADMINS, hidden_from=OUTSIDERS)
    ],
]


@pytest.mark.django_db
@pytest.mark.parametrize(("entity", "action", "state", "role", "status"), LISTING_HTTP_CASES)
def test_listing_pages(
    world: World, entity: str, action: str, state: str, role: str, status: int
) -> None:
    listing = world.listings[(entity, state)]
    response = _client(world, role).get(_listing_url(listing, action))
    assert response.status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), _http_expect(MANAGER))
def test_delete_by_post_only_for_those_allowed(world: World, role: str, status: int) -> None:
    """A forbidden POST changes nothing (the GET matrix above only looks)."""
    key = world.organisation.key
    response = _client(world, role).post(f"/verzeichnis/organisationen/{key}/loeschen/")
    exists = type(world.organisation).objects.filter(pk=world.organisation.pk).exists()
    if role == "manager":
        assert response.status_code == 302
        assert not exists
    else:
        assert response.status_code == status
        assert exists


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), _http_expect(ADMINS))
def test_members_page(world: World, role: str, status: int) -> None:
    response = _client(world, role).get(
        f"/verzeichnis/organisationen/{world.organisation.key}/mitglieder/"
    )
    assert response.status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), _http_expect(MANAGER))
def test_management_page(world: World, role: str, status: int) -> None:
    assert _client(world, role).get("/verzeichnis/verwaltung/").status_code == status
