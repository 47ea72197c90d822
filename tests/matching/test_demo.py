from __future__ import annotations

import pytest

from lotse.ecosystem.demo import load_demo_network
from lotse.matching.demo import load_demo_funding
from lotse.matching.models import FundingProfile, FundingRole

pytestmark = pytest.mark.django_db


def test_demo_funding_profiles_only_for_fictional_startups_and_investors() -> None:
    load_demo_network()
    created = load_demo_funding()
    assert created > 0
    profiles = FundingProfile.objects.select_related("organisation")
    assert all(p.organisation.is_fictional for p in profiles)
    assert {p.role for p in profiles} == {FundingRole.STARTUP, FundingRole.INVESTOR}
    for profile in profiles.filter(role=FundingRole.INVESTOR):
        assert profile.ticket_min_eur is not None
        assert profile.ticket_max_eur is not None
        assert profile.ticket_min_eur < profile.ticket_max_eur
    assert load_demo_funding() == 0  # idempotent
