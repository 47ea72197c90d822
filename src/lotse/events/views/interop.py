"""schedule.xml / schedule.json export (public) and import (network managers)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from lotse.events import access, selectors
from lotse.events.domain import schedule_export, schedule_import
from lotse.events.forms import ScheduleImportForm


def schedule_export_view(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    event = selectors.get_event(request.user, slug)
    if event is None or fmt not in {"xml", "json"}:
        raise Http404
    if fmt == "xml":
        response = HttpResponse(
            schedule_export.export_xml(event), content_type="application/xml; charset=utf-8"
        )
    else:
        response = HttpResponse(
            json.dumps(schedule_export.export_json(event), ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )
    response["Content-Disposition"] = f'inline; filename="schedule.{fmt}"'
    return response


@login_required
def schedule_import_view(request: HttpRequest) -> HttpResponse:
    if not access.can_import_schedule(request.user):
        raise PermissionDenied
    form = ScheduleImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = schedule_import.import_schedule(
                form.cleaned_data["file"].read(), organisers=[request.user]
            )
        except schedule_import.ScheduleImportError as error:
            form.add_error("file", str(error))
        else:
            messages.success(
                request,
                _("%(n)d Programmpunkte importiert (als Entwurf).") % {"n": report.created},
            )
    return render(request, "events/import.html", {"form": form, "report": report})
