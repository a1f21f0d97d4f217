"""HTML views of calibration sessions: the overview, the list, planning, the session page
(the facilitator's and the reviewers'), the set-up buttons and a reviewer's submission. The
debrief is `calibration.views.debrief`'s, scoring `calibration.views.scoring`'s.

Thin, as everywhere in Keel: objects come through `core.scoping` (another partner's or
account's are a 404), writes go through `calibration.services` (whose `DomainError` becomes a
message or a form error, never a 500), and scores only through `calibration.blind`, by way of
`calibration.selectors`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView

from calibration import blind, charts, selectors, services
from calibration.forms import (
    DrawForm,
    ItemAddForm,
    ReviewerAddForm,
    SessionCreateForm,
    SessionFilterForm,
)
from calibration.models import CalibrationSession, SessionStatus
from calibration.suggestions import adhoc_suggestions
from calibration.views._common import (
    SessionActionView,
    detail_url,
    form_problem,
    query_without_page,
    runs_sessions,
)
from calibration.views.debrief import debrief_context
from core.errors import DomainError
from partners.mixins import (
    ActionView,
    DomainFormMixin,
    ProgramManagerMixin,
    ViewerRequiredMixin,
    paginate,
)
from partners.scoping import pickable_members

# OVERVIEW, LIST, PLANNING
# ------------------------------------------------------------------------------


class OverviewView(ViewerRequiredMixin, TemplateView):
    """Per partner: cadence adherence, the alignment trend, open outcomes, what is coming."""

    template_name = "calibration/overview_partners.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = selectors.overview(self.viewer, context["today"])
        context.update(
            rows=rows,
            charts={f"trend-{r.partner.pk}": charts.alignment_trend(r) for r in rows if r.revealed},
            can_plan=runs_sessions(self.viewer),
            suggestions=adhoc_suggestions(self.viewer, context["today"]),
        )
        return context


class SessionListView(ViewerRequiredMixin, TemplateView):
    template_name = "calibration/session_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = SessionFilterForm(self.request.GET or None, viewer=self.viewer)
        sessions = selectors.sessions_list(
            self.viewer, partner=form.value("partner"), status=form.value("status") or None
        )
        context.update(
            form=form,
            page=paginate(self.request, sessions, 25),
            query=query_without_page(self.request),
            can_plan=runs_sessions(self.viewer),
        )
        return context


class SessionCreateView(ProgramManagerMixin, DomainFormMixin, FormView):
    """An ad hoc session, facilitated by the program manager who plans it."""

    template_name = "calibration/session_form.html"
    form_class = SessionCreateForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "viewer": self.viewer}

    def get_initial(self) -> dict[str, Any]:
        partner = self.request.GET.get("partner")
        initial = {"partner": partner} if partner and partner.isdigit() else {}
        if self.request.GET.get("reason"):
            initial["reason"] = self.request.GET["reason"][:300]
        return initial

    def perform(self, form: SessionCreateForm) -> HttpResponse:
        data = form.cleaned_data
        session = services.session_create(
            viewer=self.viewer,
            partner=data["partner"],
            rubric=data["rubric"],
            due_date=data["due_date"],
            reason=data["reason"],
            reviewers=[m.user for m in data["reviewers"]],
        )
        messages.success(
            self.request,
            f"Planned an ad hoc calibration of {session.partner} due "
            f"{session.due_date:%d %B %Y}: draw its interactions or add them by hand.",
        )
        return redirect(detail_url(session))


# THE SESSION PAGE
# ------------------------------------------------------------------------------


class SessionDetailView(ViewerRequiredMixin, TemplateView):
    """The facilitator's page. Before the reveal it shows who has submitted, never a score
    (a reviewer sees how many answers they gave); after it, the debrief."""

    template_name = "calibration/session_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        viewer = self.viewer
        session = selectors.session_for(viewer, self.kwargs["pk"])
        revealed = blind.sees_everyone(session)
        runs = runs_sessions(viewer)
        reviewer = selectors.reviewer_of(viewer, session)
        items = list(session.items.all())
        context.update(
            session=session,
            items=items,
            reviewers=list(session.reviewers.all()),
            submitted=sum(1 for r in session.reviewers.all() if r.submitted_at),
            revealed=revealed,
            runs=runs,
            reviewer=reviewer,
            own_answers=selectors.own_answer_count(viewer, session) if reviewer else 0,
            needed=selectors.answers_needed(session),
            scoring=session.status == SessionStatus.SCORING,
            can_add_items=runs and not revealed and len(items) < 10,
        )
        if runs and not revealed:
            context.update(
                item_form=ItemAddForm(auto_id="id_item_%s"),
                draw_form=DrawForm(auto_id="id_draw_%s"),
                reviewer_form=ReviewerAddForm(
                    viewer=viewer, session=session, auto_id="id_reviewer_%s"
                ),
            )
        if revealed:
            context.update(debrief_context(viewer, session, runs))
        return context


class SessionDrawView(SessionActionView):
    anchor = "interactions"

    def act(self, **kwargs: Any) -> str:
        form = DrawForm(self.request.POST)
        if not form.is_valid():
            raise form_problem(form)
        drawn = services.draw_items(
            viewer=self.viewer, session=self.session, size=form.cleaned_data["size"]
        )
        return f"Drew {drawn} interaction{'s' if drawn != 1 else ''} at random: scoring is open."


class SessionItemAddView(SessionActionView):
    anchor = "interactions"

    def act(self, **kwargs: Any) -> str:
        form = ItemAddForm(self.request.POST)
        if not form.is_valid():
            raise form_problem(form)
        item = services.item_add(viewer=self.viewer, session=self.session, **form.cleaned_data)
        return f"Added {item.external_id}."


class SessionReviewerAddView(SessionActionView):
    anchor = "reviewers"

    def act(self, **kwargs: Any) -> str:
        raw = self.request.POST.get("user", "")
        membership = (
            pickable_members(self.viewer).filter(user_id=raw).first() if raw.isdigit() else None
        )
        if membership is None:
            raise DomainError("Choose a member of this account.")
        user = membership.user
        reviewer = services.reviewer_add(viewer=self.viewer, session=self.session, user=user)
        return f"{user.display_name} reviews for the {reviewer.get_side_display().lower()} side."


class SessionCloseScoringView(SessionActionView):
    def act(self, **kwargs: Any) -> str:
        session = self.session
        services.close_scoring(viewer=self.viewer, session=session)
        missing = session.reviewers.filter(missing=True).count()
        return "Scoring is closed and the scores are revealed" + (
            f": {missing} reviewer{'s' if missing != 1 else ''} had not submitted."
            if missing
            else "."
        )


class SessionSubmitView(ActionView):
    """A reviewer hands in their scores; the last one to do so reveals them. Refused, the
    reviewer goes back to scoring, where the missing answers are."""

    submitted = False

    @cached_property
    def session(self) -> CalibrationSession:
        return selectors.session_brief(self.viewer, self.kwargs["pk"])

    def act(self, **kwargs: Any) -> str:
        session = self.session
        services.submit(viewer=self.viewer, session=session)
        self.submitted = True
        session.refresh_from_db()
        if session.is_revealed:
            return "Submitted: every reviewer has now submitted, so the scores are revealed."
        return (
            "Submitted. Nobody sees your scores until every reviewer has submitted; "
            "you may still change them until then."
        )

    def redirect_url(self, **kwargs: Any) -> str:
        if self.submitted:
            return detail_url(self.session)
        return reverse("calibration:scoring", args=[self.kwargs["pk"]])
