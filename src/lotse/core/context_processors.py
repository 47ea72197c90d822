from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "network_name": settings.LOTSE_NETWORK_NAME,
        "is_manager": bool(user is not None and getattr(user, "is_manager", False)),
    }
