"""Import and export pages: managers only, upload → preview → import, downloads."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse, reverse_lazy

from lotse.ecosystem.models import Organisation

IMPORT_URL = reverse_lazy("ecosystem:transfer_import")
EXPORT_URL = reverse_lazy("ecosystem:transfer_export")

GOOD = (
    "key,kind,name,city,topics\n"
    "hafen,media_house,Hafenmedien,Hamburg,textgenerierung\n"
    "isar,startup,Isar KI,München,\n"
).encode()
BAD = GOOD + b"kaputt,spaceship,Kaputt,,\n"


def upload(client: Any, data: bytes, name: str = "organisations.csv", **extra: Any) -> Any:
    return client.post(
        IMPORT_URL, {"file": SimpleUploadedFile(name, data, content_type="text/csv"), **extra}
    )


def test_urls_are_named() -> None:
    assert reverse("ecosystem:transfer_import").endswith("/verwaltung/import/")
    assert reverse("ecosystem:transfer_export").endswith("/verwaltung/export/")


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login(client: Any) -> None:
    for url in (str(IMPORT_URL), str(EXPORT_URL), f"{EXPORT_URL}?download=json"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response["Location"] or "anmelden" in response["Location"]


@pytest.mark.django_db
def test_members_are_forbidden(client: Any, member: Any, organisation: Any) -> None:
    client.force_login(member)
    assert client.get(IMPORT_URL).status_code == 403
    assert client.get(f"{EXPORT_URL}?download=people").status_code == 403
    assert upload(client, GOOD).status_code == 403
    assert not Organisation.objects.filter(key="isar").exists()


@pytest.mark.django_db
def test_upload_preview_then_import(client: Any, manager: Any) -> None:
    client.force_login(manager)
    page = client.get(IMPORT_URL)
    assert page.status_code == 200
    assert "Hochladen und prüfen" in page.content.decode()
    preview = upload(client, GOOD)
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "2 neue und 0 aktualisierte" in text
    assert not Organisation.objects.exists()  # checked, not yet written
    token = preview.context["token"]
    done = client.post(IMPORT_URL, {"token": token}, follow=True)
    assert done.status_code == 200
    assert "Import abgeschlossen" in done.content.decode()
    assert set(Organisation.objects.values_list("key", flat=True)) == {"hafen", "isar"}
    # The stored upload is gone: confirming twice does nothing.
    again = client.post(IMPORT_URL, {"token": token}, follow=True)
    assert "nicht mehr vor" in again.content.decode()


@pytest.mark.django_db
def test_bad_rows_are_listed_and_nothing_is_offered_for_import(client: Any, manager: Any) -> None:
    client.force_login(manager)
    response = upload(client, BAD)
    assert response.status_code == 200
    text = response.content.decode()
    assert "spaceship" in text
    assert "nicht importiert" in text
    assert "token" not in response.context or not response.context.get("token")
    assert not Organisation.objects.exists()
    # With "skip invalid rows" the good ones can be imported.
    response = upload(client, BAD, skip_invalid="on")
    assert response.context["token"]
    assert "1 fehlerhafte Zeile wird übersprungen" in response.content.decode()
    client.post(IMPORT_URL, {"token": response.context["token"]})
    assert Organisation.objects.count() == 2


@pytest.mark.django_db
def test_forged_token_imports_nothing(client: Any, manager: Any) -> None:
    client.force_login(manager)
    upload(client, GOOD)
    response = client.post(IMPORT_URL, {"token": "forged"}, follow=True)
    assert "nicht mehr vor" in response.content.decode()
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_oversize_upload_is_refused_with_clear_message(
    client: Any, manager: Any, settings: Any
) -> None:
    settings.LOTSE_MAX_IMPORT_BYTES = 100
    client.force_login(manager)
    response = upload(client, GOOD + b"x" * 200)
    assert response.status_code == 400
    text = response.content.decode()
    assert "höchstens 100" in text
    assert not Organisation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "name", "fragment"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "bild.png", "Null-Bytes"),
        (b'{"organisations": [', "x.json", "JSON-Datei ist fehlerhaft"),
        (
            "key,kind,name\nä,startup,Ä\n".encode("cp1252"),
            "organisations.csv",
            "gültiger Schlüssel",
        ),
    ],
)
def test_broken_files_never_cause_a_server_error(
    client: Any, manager: Any, data: bytes, name: str, fragment: str
) -> None:
    client.force_login(manager)
    response = upload(client, data, name=name)
    assert response.status_code == 200
    assert fragment in response.content.decode()
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_empty_upload_and_missing_file(client: Any, manager: Any) -> None:
    client.force_login(manager)
    response = client.post(IMPORT_URL, {"file": SimpleUploadedFile("a.csv", b"")})
    assert response.status_code == 400
    assert "leer" in response.content.decode()
    assert client.post(IMPORT_URL, {}).status_code == 400


@pytest.mark.django_db
def test_cp1252_upload_keeps_umlauts(client: Any, manager: Any) -> None:
    client.force_login(manager)
    data = "key,kind,name,city\nmuc,startup,Münchner Größe,München\n".encode("cp1252")
    response = upload(client, data)
    assert "cp1252" in response.content.decode()
    client.post(IMPORT_URL, {"token": response.context["token"]})
    assert Organisation.objects.get(key="muc").name == "Münchner Größe"


@pytest.mark.django_db
def test_export_downloads(client: Any, manager: Any, organisation: Any) -> None:
    client.force_login(manager)
    page = client.get(EXPORT_URL)
    assert page.status_code == 200
    assert "?download=json" in page.content.decode()
    response = client.get(f"{EXPORT_URL}?download=json")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    document = json.loads(b"".join(response.streaming_content))
    assert [o["key"] for o in document["organisations"]] == [organisation.key]
    response = client.get(f"{EXPORT_URL}?download=organisations")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffkey,kind,name,")
    assert organisation.key in body
    assert client.get(f"{EXPORT_URL}?download=nonsense").status_code == 400


@pytest.mark.django_db
def test_export_then_import_through_the_web(client: Any, manager: Any, organisation: Any) -> None:
    client.force_login(manager)
    response = client.get(f"{EXPORT_URL}?download=organisations")
    data = b"".join(response.streaming_content)
    Organisation.objects.all().delete()
    preview = upload(client, data, name="export.csv")
    client.post(IMPORT_URL, {"token": preview.context["token"]})
    assert Organisation.objects.get(key=organisation.key).name == organisation.name
