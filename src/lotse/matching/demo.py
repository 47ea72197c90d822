"""Demo funding profiles: fictional start-ups look for capital, fictional funds invest.

Only organisations marked fictional get a profile; the seed organisations keep
only what their articles say.
"""

from __future__ import annotations

import random

from django.db import transaction

from lotse.ecosystem.models import Organisation, OrganisationKind, Term, Vocabulary
from lotse.matching.models import FundingProfile, FundingRole, FundingStage

STAGES = [FundingStage.PRE_SEED, FundingStage.SEED, FundingStage.SERIES_A]


@transaction.atomic
def load_demo_funding(*, seed: int = 7) -> int:
    """Create funding profiles for fictional start-ups and investors; idempotent."""
    rng = random.Random(seed)
    sectors = list(Term.objects.filter(vocabulary=Vocabulary.SECTOR))
    created = 0
    organisations = Organisation.objects.filter(
        is_fictional=True, kind__in=[OrganisationKind.STARTUP, OrganisationKind.INVESTOR]
    ).order_by("key")
    for organisation in organisations:
        if FundingProfile.objects.filter(organisation=organisation).exists():
            continue
        if organisation.kind == OrganisationKind.STARTUP:
            stage = rng.choice(STAGES)
            amount = {"pre_seed": 250_000, "seed": 1_000_000, "series_a": 4_000_000}[stage]
            profile = FundingProfile.objects.create(
                organisation=organisation,
                role=FundingRole.STARTUP,
                stages=[stage],
                amount_sought_eur=amount,
                regions=[organisation.region] if organisation.region else [],
            )
        else:
            low = rng.choice([100_000, 250_000, 500_000])
            profile = FundingProfile.objects.create(
                organisation=organisation,
                role=FundingRole.INVESTOR,
                stages=rng.sample([str(s) for s in STAGES], k=2),
                ticket_min_eur=low,
                ticket_max_eur=low * rng.choice([4, 8, 10]),
                regions=[],
            )
        if sectors:
            profile.sectors.set(rng.sample(sectors, k=min(3, len(sectors))))
        created += 1
    return created
