from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lotse.ecosystem import member_selectors
from lotse.ecosystem import selectors as ecosystem_selectors


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    context = {
        "person": ecosystem_selectors.person_for_user(request.user),
        "memberships": ecosystem_selectors.memberships_for_user(request.user),
        "invitations": list(member_selectors.open_invitations_for_user(request.user)),
        "claims": member_selectors.claims_for_user(request.user),
    }
    return render(request, "accounts/dashboard.html", context)
