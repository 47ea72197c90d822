"""Import and export pages for network managers.

Import is two steps: upload (the file is checked, nothing is written, the
report is shown) and confirm (the stored upload is imported in one
transaction).  Export streams CSV or JSON in the import format.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from lotse.ecosystem import access
from lotse.ecosystem.domain.exports import iter_csv, iter_json
from lotse.ecosystem.domain.imports import ImportReport, import_directory
from lotse.ecosystem.importing.forms import ImportUploadForm
from lotse.ecosystem.importing.schema import ENTITIES

SESSION_KEY = "lotse_import_upload"
UPLOAD_MAX_AGE = 6 * 60 * 60
SHOWN_ERRORS = 500


def _require_manager(request: HttpRequest) -> None:
    if not access.can_manage_network(request.user):
        raise PermissionDenied


def _upload_dir() -> Path:
    directory = Path(settings.DATA_DIR) / "imports"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _remove_old_uploads(directory: Path) -> None:
    cutoff = time.time() - UPLOAD_MAX_AGE
    for path in directory.glob("*.upload"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


def _report_context(report: ImportReport) -> dict[str, Any]:
    errors = report.all_errors()
    return {
        "report": report,
        "errors": errors[:SHOWN_ERRORS],
        "more_errors": max(0, report.error_count + len(report.file_errors) - SHOWN_ERRORS),
        "results": [(entity, result) for entity, result in report.results.items() if result.total],
    }


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    if request.method == "POST" and request.POST.get("token"):
        return _import_confirm(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        options = {
            "filename": upload.name or "",
            "entity": form.cleaned_data["entity"] or None,
            "encoding": form.cleaned_data["encoding"] or None,
            "skip_invalid": form.cleaned_data["skip_invalid"],
        }
        report = import_directory(data, dry_run=True, **options)
        context = {
            "form": form,
            "max_bytes": settings.LOTSE_MAX_IMPORT_BYTES,
            **_report_context(report),
        }
        if report.ok and (report.created or report.updated):
            directory = _upload_dir()
            _remove_old_uploads(directory)
            token = secrets.token_urlsafe(24)
            (directory / f"{token}.upload").write_bytes(data)
            request.session[SESSION_KEY] = {"token": token, **options}
            context["token"] = token
        return render(request, "ecosystem/transfer/import_preview.html", context)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "ecosystem/transfer/import.html",
        {"form": form, "max_bytes": settings.LOTSE_MAX_IMPORT_BYTES},
        status=status,
    )


def _import_confirm(request: HttpRequest) -> HttpResponse:
    stored = request.session.get(SESSION_KEY) or {}
    token = request.POST.get("token", "")
    path = _upload_dir() / f"{stored.get('token', '')}.upload"
    if (
        not stored
        or not secrets.compare_digest(str(stored.get("token")), token)
        or not path.exists()
    ):
        messages.error(
            request,
            _("Die geprüfte Datei liegt nicht mehr vor. Bitte laden Sie sie erneut hoch."),
        )
        return redirect("ecosystem:transfer_import")
    report = import_directory(
        path.read_bytes(),
        filename=stored.get("filename", ""),
        entity=stored.get("entity"),
        encoding=stored.get("encoding"),
        skip_invalid=bool(stored.get("skip_invalid")),
    )
    path.unlink(missing_ok=True)
    request.session.pop(SESSION_KEY, None)
    if report.committed:
        messages.success(
            request, _("Import abgeschlossen. %(summary)s") % {"summary": report.summary()}
        )
        return redirect("ecosystem:transfer_import")
    # The data changed between check and import (or the database refused): show why.
    return render(
        request,
        "ecosystem/transfer/import_preview.html",
        {"failed": True, **_report_context(report)},
        status=400,
    )


@login_required
def export_view(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    _require_manager(request)
    download = request.GET.get("download")
    if not download:
        return render(request, "ecosystem/transfer/export.html", {"entities": ENTITIES})
    today = timezone.localdate().isoformat()
    user = request.user
    response: StreamingHttpResponse
    if download == "json":
        response = StreamingHttpResponse(
            iter_json(ENTITIES, user=user), content_type="application/json; charset=utf-8"
        )
        filename = f"lotse-verzeichnis-{today}.json"
    elif download in ENTITIES:
        entity = str(download)

        # The byte-order mark lets spreadsheet programs recognise UTF-8.
        def chunks() -> Any:
            yield "\ufeff"
            yield from iter_csv(entity, user=user)

        response = StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8")
        filename = f"lotse-{download}-{today}.csv"
    else:
        return render(
            request,
            "ecosystem/transfer/export.html",
            {"entities": ENTITIES, "unknown": True},
            status=400,
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
