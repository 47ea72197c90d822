from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_home_page_renders_in_german(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "Organisationen" in response.content.decode()
    assert response["Content-Language"] == "de"


@pytest.mark.django_db
def test_health_reports_the_database(client: Client) -> None:
    response = client.get("/health/")
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_csp_forbids_inline_scripts_and_styles(client: Client) -> None:
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


@pytest.mark.django_db
def test_unknown_page_is_a_friendly_404(client: Client) -> None:
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()


def test_strip_html_keeps_plain_text_as_typed() -> None:
    from lotse.core.markdown import strip_html

    assert strip_html("Müller & Söhne <b>GmbH</b>") == "Müller & Söhne GmbH"
    assert strip_html("<script>alert(1)</script>Name") == "Name"
