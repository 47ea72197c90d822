"""Placeholder; replaced below."""

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


need_suggestions = offer_suggestions = my_contacts = person_suggestions = _todo
funding_suggestions = requests_box = request_create = request_create_for_organisation = _todo
request_detail = request_accept = request_decline = request_block = request_report = _todo
alliance_create = _todo
