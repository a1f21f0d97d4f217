"""What the calibration views share: the facilitator's POST buttons on a session, and small
helpers for lists and links."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.functional import cached_property

from calibration import selectors, services
from calibration.models import CalibrationSession, SessionItem
from core.errors import DomainError
from core.scoping import Viewer
from partners.mixins import ActionView
from partners.models import Role

BUYER_SCORERS = set(services.BUYER_SCORERS)  # program managers and QA reviewers
SCORERS = set(services.SCORERS)  # ... and the partners' QA leads


def query_without_page(request: HttpRequest) -> str:
    """The list's query string without its page: the pager's links add their own."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def runs_sessions(viewer: Viewer) -> bool:
    """Program managers of the buyer run sessions (`services.require_facilitator`)."""
    return viewer.role == Role.PROGRAM_MANAGER and viewer.is_buyer_side and not viewer.read_only


def form_problem(form: forms.Form) -> DomainError:
    """A form's errors as one message, for actions whose form sits on another page."""
    problems: list[str] = []
    for name, errors in form.errors.items():
        label = ""
        if name in form.fields:
            label = str(form.fields[name].label or name.replace("_", " ").capitalize())
        problems.extend(f"{label}: {e}" if label else str(e) for e in errors)
    return DomainError(" ".join(problems) or "Check the form.")


def detail_url(session: CalibrationSession, anchor: str = "") -> str:
    url = reverse("calibration:session-detail", args=[session.pk])
    return f"{url}#{anchor}" if anchor else url


class SessionActionView(ActionView):
    """A program manager's button on one session (`pk`): `act()` runs the service and says
    what it did; a broken rule becomes a message. Back to the session page, at `anchor`."""

    allowed_roles = {Role.PROGRAM_MANAGER}
    anchor = ""

    @cached_property
    def session(self) -> CalibrationSession:
        return selectors.session_brief(self.viewer, self.kwargs["pk"])

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.session  # noqa: B018 - another tenant's session is a 404 before anything runs
        return super().post(request, **kwargs)

    def redirect_url(self, **kwargs: Any) -> str:
        return detail_url(self.session, self.anchor)

    def item(self, raw: Any) -> SessionItem:
        """An interaction of this session, by the id a form posted."""
        item = SessionItem.objects.filter(session=self.session, pk=raw).first() if raw else None
        if item is None:
            raise DomainError("That interaction is not part of this session.")
        return item
