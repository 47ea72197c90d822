"""The production profile passes Django's deployment checks; secrets come only from env."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LOTSE_") and k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        capture_output=True, text=True, env=environment, cwd=ROOT, timeout=120, check=False,
    )


def test_production_profile_passes_check_deploy(tmp_path: Path) -> None:
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        LOTSE_PROFILE="production",
        LOTSE_SECRET_KEY="x" * 20 + "a-long-random-production-secret-0123456789-ABCDEFG",
        LOTSE_ALLOWED_HOSTS="lotse.example.org",
        LOTSE_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_profile_is_not_deployable(tmp_path: Path) -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", LOTSE_DATA_DIR=str(tmp_path))
    assert result.returncode != 0  # DEBUG, insecure cookies and the dev key are flagged
    assert "security.W018" in result.stderr + result.stdout


def test_production_profile_refuses_to_start_without_secret(tmp_path: Path) -> None:
    result = _manage("check", LOTSE_PROFILE="production", LOTSE_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "LOTSE_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_forged_post_is_refused_with_a_clear_message(django_user_model: type) -> None:
    from django.test import Client

    from lotse.ecosystem.models import Term

    user = django_user_model.objects.create_user(email="a@example.org", password="pw-123456-x")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(
        "/verzeichnis/begriff-vorschlagen/", {"vocabulary": "capability", "name": "Gefälscht"}
    )
    assert response.status_code == 403
    assert "Formular abgelaufen" in response.content.decode()
    assert not Term.objects.filter(name="Gefälscht").exists()


def test_empty_environment_values_mean_the_defaults(tmp_path: Path) -> None:
    """``DATABASE_URL=`` (set but empty, as in ``DATABASE_URL= lotse run``) falls back
    to the embedded SQLite database instead of failing with an unknown scheme."""
    result = _manage(
        "check", DATABASE_URL="", LOTSE_DB_CONN_MAX_AGE="", LOTSE_DATA_DIR=str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
