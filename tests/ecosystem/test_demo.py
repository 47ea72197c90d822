"""The demo network and the synthetic generator (``lotse demo``)."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lotse.accounts.models import User
from lotse.ecosystem import access, demo
from lotse.ecosystem.models import (
    DataResidency,
    Membership,
    MembershipRole,
    Need,
    Offer,
    Organisation,
    OrganisationKind,
    Person,
    Visibility,
)

pytestmark = pytest.mark.django_db

SEED_ORGANISATION_NAMES = {
    "next Media.Hamburg",
    "AI Media Leaders Netzwerk",
    "ARIC Hamburg",
    "Medien.Bayern GmbH",
    "KI.M – Kompetenzzentrum für KI und Medien in Bayern",
    "Bayerische Landeszentrale für neue Medien (BLM)",
    "STADTKULTUR HAMBURG",
    "fluxus2",
    "AI for Hamburg",
    "FUSE-AI",
    "Storybook Studios",
    "Kleine Brüder GmbH",
    "German American Business Association",
    "KI Bundesverband",
}
SEED_PEOPLE = {
    "Dr. Nina Klaß",
    "Dr. Thorsten Schmiege",
    "Dan Thy Nguyen",
    "Ragnar Kruse",
    "Petra Vorsteher",
    "Albert Bozesan",
}
FICTIONAL_MAIL = re.compile(r"^[^@\s]+@([a-z0-9-]+\.)*example\.(org|com)$")


@pytest.fixture
def loaded() -> demo.DemoCounts:
    return demo.load_demo_network()


def test_demo_has_the_required_size(loaded: demo.DemoCounts) -> None:
    assert Organisation.objects.count() == loaded.organisations >= 60
    assert Person.objects.count() == loaded.people >= 150
    assert Offer.objects.count() + Need.objects.count() == loaded.offers + loaded.needs >= 80
    assert Offer.objects.count() >= 30
    assert Need.objects.count() >= 30


def test_demo_covers_kinds_regions_residency_and_time(loaded: demo.DemoCounts) -> None:
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert kinds == set(OrganisationKind.values)
    regions = set(Organisation.objects.values_list("region", flat=True))
    assert {"Hamburg", "Bayern", "Berlin", "Nordrhein-Westfalen"} <= regions
    assert Organisation.objects.filter(is_fictional=True, latitude__isnull=True).count() == 0
    residencies = set(Offer.objects.values_list("data_residency", flat=True)) | set(
        Need.objects.values_list("data_residency", flat=True)
    )
    assert residencies == set(DataResidency.values)

    today = timezone.localdate()
    stale = Organisation.objects.filter(last_confirmed__lt=today - dt.timedelta(days=365))
    assert stale.count() >= 3
    assert Organisation.objects.filter(last_confirmed__gte=today - dt.timedelta(days=30)).exists()
    assert Organisation.objects.filter(verified=True).count() >= 5
    created = sorted(Organisation.objects.values_list("created_at", flat=True))
    assert created[-1] - created[0] > dt.timedelta(days=365 * 2)
    assert created[-1] <= timezone.now()


def test_demo_people_have_memberships_expertise_languages_and_visibility(
    loaded: demo.DemoCounts,
) -> None:
    fictional = Person.objects.filter(is_fictional=True)
    with_org = fictional.filter(memberships__isnull=False).distinct().count()
    assert with_org >= 0.9 * fictional.count()
    assert Membership.objects.filter(role=MembershipRole.ADMIN).count() >= 40
    assert fictional.filter(expertise__isnull=False).distinct().count() == fictional.count()
    assert all(p.languages for p in fictional)
    assert any("en" in p.languages for p in fictional)
    assert fictional.filter(visibility=Visibility.HIDDEN).count() >= 2
    assert fictional.filter(visibility=Visibility.MEMBERS).count() >= 5
    assert any(p.field_visibility.get("bio") == Visibility.MEMBERS for p in fictional)


def test_seed_organisations_are_real_with_source_notes(loaded: demo.DemoCounts) -> None:
    seeds = Organisation.objects.filter(is_fictional=False)
    assert set(seeds.values_list("name", flat=True)) == SEED_ORGANISATION_NAMES
    for organisation in seeds:
        assert organisation.source_note.startswith("Seed 00"), organisation
        assert not organisation.verified  # nobody from the organisation confirmed it
        assert organisation.email == ""  # no invented contact data
    assert Organisation.objects.get(key="ai-for-hamburg").website == "https://ai.hamburg"
    assert Organisation.objects.get(key="blm").kind == OrganisationKind.PUBLIC_BODY


def test_seed_people_carry_only_what_the_seeds_say(loaded: demo.DemoCounts) -> None:
    real = Person.objects.filter(is_fictional=False)
    assert set(real.values_list("name", flat=True)) >= SEED_PEOPLE
    for person in real:
        assert person.email == ""
        assert person.phone == ""
        assert person.user_id is None
        assert "Quelle: Seed 00" in person.bio
    schmiege = Person.objects.get(name="Dr. Thorsten Schmiege")
    assert schmiege.memberships.get().organisation.key == "blm"
    assert "1. Oktober 2021" in schmiege.bio
    nguyen = Person.objects.get(name="Dan Thy Nguyen")
    assert nguyen.memberships.get().organisation.name == "fluxus2"


def test_everything_else_is_flagged_fictional(loaded: demo.DemoCounts) -> None:
    seed_keys = set(demo.seed_organisation_keys())
    for organisation in Organisation.objects.exclude(key__in=seed_keys):
        assert organisation.is_fictional, organisation
        assert FICTIONAL_MAIL.match(organisation.email), organisation.email
        assert organisation.website.endswith(".example.com")
    for person in Person.objects.filter(is_fictional=True):
        assert FICTIONAL_MAIL.match(person.email), person.email
    assert Offer.objects.filter(is_fictional=False).count() == len(demo.seed_network()["offers"])
    assert not Need.objects.filter(is_fictional=False).exists()


def test_directory_marks_fictional_entries(loaded: demo.DemoCounts, client: Client) -> None:
    response = client.get(reverse("ecosystem:organisation_list"), {"q": "Hafenpixel"})
    assert response.status_code == 200
    assert "Hafenpixel Studio" in response.content.decode()
    assert "fiktiv" in response.content.decode()
    real = client.get(reverse("ecosystem:organisation_detail", kwargs={"key": "fluxus2"}))
    assert "Seed 002" in real.content.decode()
    assert "fiktiver Demo-Eintrag" not in real.content.decode()


def test_demo_logins_work(loaded: demo.DemoCounts) -> None:
    manager_email, manager_password = demo.DEMO_LOGINS["Netzwerk-Management"]
    member_email, member_password = demo.DEMO_LOGINS["Mitglied"]

    client = Client()
    assert client.login(email=manager_email, password=manager_password)
    manager = User.objects.get(email=manager_email)
    assert access.is_manager(manager)
    assert manager.emailaddress_set.get().verified

    # The member logs in through the real allauth form (verified address required).
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": member_email, "password": member_password}
    )
    assert response.status_code == 302
    member = User.objects.get(email=member_email)
    assert int(client.session["_auth_user_id"]) == member.pk
    assert not access.is_manager(member)
    hafenpixel = Organisation.objects.get(key=demo.MEMBER_ORGANISATION_KEY)
    assert hafenpixel.is_fictional
    assert access.can_edit_organisation(member, hafenpixel)
    other = Organisation.objects.get(key="nordlicht-verlag")
    assert not access.can_edit_organisation(member, other)


def test_loading_twice_does_not_duplicate(loaded: demo.DemoCounts) -> None:
    before = (Organisation.objects.count(), Person.objects.count(), Offer.objects.count())
    with pytest.raises(demo.DemoError):
        demo.load_demo_network()
    out = StringIO()
    call_command("demo", stdout=out, no_index=True)
    assert "bereits geladen" in out.getvalue()
    after = (Organisation.objects.count(), Person.objects.count(), Offer.objects.count())
    assert before == after
    assert User.objects.filter(email__in=[e for e, _ in demo.DEMO_LOGINS.values()]).count() == 2


def test_reset_reloads_the_same_network(loaded: demo.DemoCounts) -> None:
    names = sorted(Person.objects.values_list("name", flat=True))
    keep = Organisation.objects.create(key="echte-org", name="Echte Organisation", kind="agency")
    call_command("demo", reset=True, no_index=True, stdout=StringIO())
    assert sorted(Person.objects.values_list("name", flat=True)) == names  # deterministic
    assert Organisation.objects.count() == loaded.organisations + 1
    assert Organisation.objects.filter(pk=keep.pk).exists()  # real data stays
    client = Client()
    email, password = demo.DEMO_LOGINS["Mitglied"]
    assert client.login(email=email, password=password)


def test_command_loads_the_demo(client: Client) -> None:
    out = StringIO()
    call_command("demo", stdout=out, no_index=True)
    assert "Demo-Zugänge" in out.getvalue()
    assert demo.demo_loaded()
    assert Organisation.objects.count() >= 60


def test_generator_creates_n_organisations() -> None:
    counts = demo.generate_network(size=120, listings=50, seed=7)
    prefix = "syn7-"
    organisations = Organisation.objects.filter(key__startswith=prefix)
    assert organisations.count() == counts.organisations == 120
    assert Person.objects.filter(key__startswith=prefix).count() == 360
    assert Offer.objects.filter(key__startswith=prefix).count() == 25
    assert Need.objects.filter(key__startswith=prefix).count() == 25
    assert all(o.is_fictional for o in organisations)
    assert Organisation.topics.through.objects.filter(organisation__in=organisations).count() >= 120
    assert Membership.objects.filter(organisation__in=organisations).count() >= 360
    assert not organisations.filter(latitude__isnull=True).exists()
    with pytest.raises(demo.DemoError):
        demo.generate_network(size=10, seed=7)  # same seed twice is refused


def test_generator_command_and_bad_input() -> None:
    call_command("demo", size=30, seed=3, no_progress=True, no_index=True, stdout=StringIO())
    assert Organisation.objects.filter(key__startswith="syn3-").count() == 30
    assert Offer.objects.count() + Need.objects.count() == 60  # default: 2 × size
    with pytest.raises(CommandError, match="Seed 3"):
        call_command("demo", size=30, seed=3, no_progress=True, no_index=True, stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("demo", size=0, no_progress=True, no_index=True, stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("demo", listings=5, stdout=StringIO())
    assert Organisation.objects.count() == 30
    call_command(
        "demo", reset=True, size=10, seed=3, no_progress=True, no_index=True, stdout=StringIO()
    )
    assert Organisation.objects.count() == 10
