"""Writes for accounts."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from lotse.accounts.models import User


@transaction.atomic
def create_manager(
    *, email: str, password: str, name: str = "", superuser: bool = False
) -> tuple[User, bool]:
    """Create (or promote) a network-manager account with a verified e-mail address."""
    from allauth.account.models import EmailAddress

    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if user is None:
        user = User(email=email, username=email)
    validate_password(password, user)
    first, _, last = name.partition(" ")
    if name:
        user.first_name, user.last_name = first, last
    user.is_network_manager = True
    user.is_staff = True
    user.is_superuser = user.is_superuser or superuser
    user.set_password(password)
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user, created
