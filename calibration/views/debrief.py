"""The debrief after the reveal: its part of the session page, the facilitator's buttons
(consensus, an outcome item or a "no action" note per disagreement, closing), and the outcome
items of every debrief with their owners' "done" button.

Scores reach these pages through `calibration.selectors`, which read them through
`calibration.blind`; nothing here shows anything before the reveal.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import TemplateView

from calibration import selectors, services
from calibration.forms import (
    NoActionForm,
    OutcomeFilterForm,
    OutcomeForm,
    answer_input,
    posted_answers,
)
from calibration.models import CalibrationSession, OutcomeItem, OutcomeStatus, SessionStatus
from calibration.views._common import SessionActionView, form_problem, query_without_page
from core.errors import DomainError
from core.scoping import Viewer
from partners.mixins import ActionView, ViewerRequiredMixin, paginate
from partners.models import Role


def debrief_context(viewer: Viewer, session: CalibrationSession, runs: bool) -> dict[str, Any]:
    """The session page's debrief, once the scores are revealed: the summary, each
    interaction's rows with the consensus inputs and how many of its disagreements are still
    open, the disagreements still waiting (with the facilitator's forms when `runs`), the
    outcome items and notes."""
    outcomes = selectors.session_outcomes(viewer, session)
    open_for_outcomes = session.status == SessionStatus.REVEALED
    pending = services.open_disagreements(session) if open_for_outcomes else []
    debrief = selectors.debrief(viewer, session)
    still_open = Counter(d.item.pk for d in pending)
    return {
        "debrief": [
            selectors.DebriefSection(
                d,
                [
                    answer_input(r.criterion, f"c{r.criterion.pk}", r.consensus, r.has_consensus)
                    for r in sorted(d.rows, key=lambda r: r.criterion.position)
                ],
                still_open[d.item.pk],
            )
            for d in debrief
        ],
        "summary": selectors.AlignmentSummary(session),
        "pending": [_pending_row(viewer, session, n, d, runs) for n, d in enumerate(pending)],
        "outcomes": outcomes,
        "notes": selectors.session_notes(viewer, session),
        "general_outcome_form": (
            OutcomeForm(viewer=viewer, session=session, auto_id="id_g_%s")
            if runs and open_for_outcomes
            else None
        ),
    }


def _pending_row(
    viewer: Viewer, session: CalibrationSession, n: int, d: services.Disagreement, runs: bool
) -> selectors.PendingRow:
    if not runs:
        return selectors.PendingRow(d, None, None)
    initial = {"item": d.item.pk, "criterion": int(d.criterion.key)}
    return selectors.PendingRow(
        d,
        OutcomeForm(viewer=viewer, session=session, auto_id=f"id_o{n}_%s", initial=initial),
        NoActionForm(auto_id=f"id_n{n}_%s", initial=initial),
    )


# THE FACILITATOR'S BUTTONS
# ------------------------------------------------------------------------------


class SessionConsensusView(SessionActionView):
    anchor = "debrief"

    def act(self, **kwargs: Any) -> str:
        session = self.session
        item = self.item(self.request.POST.get("item"))
        values = posted_answers(self.request.POST, session.version.criteria.all())
        if not values:
            raise DomainError("Choose at least one agreed value.")
        services.consensus_save(viewer=self.viewer, session=session, item=item, values=values)
        return f"Saved the consensus on {item.external_id}."


class OutcomeAddView(SessionActionView):
    anchor = "disagreements"

    def act(self, **kwargs: Any) -> str:
        form = OutcomeForm(self.request.POST, viewer=self.viewer, session=self.session)
        if not form.is_valid():
            raise form_problem(form)
        data = form.cleaned_data
        outcome = services.outcome_add(
            viewer=self.viewer, session=self.session, kind=data["kind"],
            description=data["description"], owner=data["owner"], due_date=data["due_date"],
            item=self.item(data["item"]) if data["item"] else None,
            criterion_id=data["criterion"],
        )  # fmt: skip
        return f"Added the {outcome.get_kind_display().lower()} for {outcome.owner}."


class SessionNoActionView(SessionActionView):
    anchor = "disagreements"

    def act(self, **kwargs: Any) -> str:
        form = NoActionForm(self.request.POST)
        if not form.is_valid():
            raise form_problem(form)
        data = form.cleaned_data
        services.no_action_save(
            viewer=self.viewer, session=self.session, item=self.item(data["item"]),
            criterion_id=data["criterion"], note=data["note"],
        )  # fmt: skip
        return "Noted: no action needed."


class SessionCloseView(SessionActionView):
    def act(self, **kwargs: Any) -> str:
        services.session_close(viewer=self.viewer, session=self.session)
        return "Closed the session."


# OUTCOME ITEMS
# ------------------------------------------------------------------------------


class OutcomeListView(ViewerRequiredMixin, TemplateView):
    template_name = "calibration/outcome_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = OutcomeFilterForm(self.request.GET or None, viewer=self.viewer)
        outcomes = selectors.outcomes_list(
            self.viewer, partner=form.value("partner"), status=form.value("show") or None
        )
        context.update(
            form=form,
            page=paginate(self.request, outcomes, 25),
            query=query_without_page(self.request),
            is_pm=self.viewer.role == Role.PROGRAM_MANAGER and not self.viewer.read_only,
            done=OutcomeStatus.DONE,
        )
        return context


class OutcomeUpdateView(ActionView):
    """The owner, or a program manager, marks an outcome done (or open again); back to the
    page the button was on (`next`), or the outcome list."""

    @cached_property
    def outcome(self) -> OutcomeItem:
        return selectors.outcome_for(self.viewer, self.kwargs["pk"])

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.outcome  # noqa: B018 - another tenant's outcome is a 404 before anything runs
        return super().post(request, **kwargs)

    def act(self, **kwargs: Any) -> str:
        outcome = self.outcome
        status = self.request.POST.get("status", OutcomeStatus.DONE)
        services.outcome_update(viewer=self.viewer, outcome=outcome, status=status)
        if status == OutcomeStatus.DONE:
            return f"Marked done: {outcome.description[:80]}"
        return f"Open again: {outcome.description[:80]}"

    def redirect_url(self, **kwargs: Any) -> str:
        request = self.request
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("calibration:outcome-list")
        return target
