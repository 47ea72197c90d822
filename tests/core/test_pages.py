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


@pytest.mark.django_db
def test_home_shows_recent_entries_and_upcoming_events(client: Client) -> None:
    from lotse.ecosystem.domain.listings import create_listing
    from lotse.ecosystem.domain.organisations import create_organisation
    from lotse.ecosystem.models import Need

    org = create_organisation(name="Kulturhaus Altona", kind="cultural_organisation")
    create_listing(Need, organisation=org, title="Hilfe beim Förderantrag", kind="expert")
    content = client.get("/").content.decode()
    assert "Kulturhaus Altona" in content
    assert "Hilfe beim Förderantrag" in content
    assert "Nächste Veranstaltungen" in content
