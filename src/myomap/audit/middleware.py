"""Refused attempts are audited: a person who asks for a record they may not see gets the
same 404 as for a record that does not exist, and the record's clinic's audit log gets an
event saying who tried, from where, and which page."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from myomap.audit.log import Context, record_refusal
from myomap.records.errors import NotVisible


class RefusedAccessAudit:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, NotVisible):
            record_refusal(Context.of(request), exception)
        # Django goes on to answer 404, as for a record that does not exist.
