"""HTML views of calibration sessions: the overview, the list, planning, the facilitator's page
with its debrief, the reviewer's scoring page (with its JSON save) and the outcome items.

Thin, as everywhere in Keel: objects come through `partners.scoping` (another partner's or
account's are a 404), writes go through `calibration.services` (whose `DomainError` becomes a
message or a form error, never a 500), and scores only through `calibration.blind`, by way of
`calibration.selectors`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView, TemplateView

from calibration import blind, selectors, services
from calibration.forms import (
    NA,
    DrawForm,
    ItemAddForm,
    NoActionForm,
    OutcomeFilterForm,
    OutcomeForm,
    ReviewerAddForm,
    SessionCreateForm,
    SessionFilterForm,
    parse_value,
    posted_answers,
)
from calibration.models import (
    CalibrationSession,
    OutcomeStatus,
    RubricCriterion,
    Scale,
    SessionItem,
    SessionStatus,
)
from calibration.suggestions import adhoc_suggestions
from core.charts import ACCENT
from core.errors import DomainError
from core.scoping import Viewer, get_scoped_or_404
from partners.mixins import DomainFormMixin, ProgramManagerMixin, ViewerRequiredMixin, paginate
from partners.models import Role, User

BIAS_COLOUR = "#a86800"


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _runs_sessions(viewer: Viewer) -> bool:
    """Program managers of the buyer run sessions (`services._require_facilitator`)."""
    return viewer.role == Role.PROGRAM_MANAGER and viewer.is_buyer_side and not viewer.read_only


def _form_problem(form: forms.Form) -> DomainError:
    """A form's errors as one message, for actions whose form sits on another page."""
    problems: list[str] = []
    for name, errors in form.errors.items():
        label = ""
        if name in form.fields:
            label = str(form.fields[name].label or name.replace("_", " ").capitalize())
        problems.extend(f"{label}: {e}" if label else str(e) for e in errors)
    return DomainError(" ".join(problems) or "Check the form.")


def _detail_url(session: CalibrationSession, anchor: str = "") -> str:
    url = reverse("calibration:session-detail", args=[session.pk])
    return f"{url}#{anchor}" if anchor else url


def _session(viewer: Viewer, pk: int) -> CalibrationSession:
    return get_scoped_or_404(
        CalibrationSession.objects.select_related("partner", "version__rubric"), viewer, pk=pk
    )


# ANSWER INPUTS (scoring and consensus)
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    key: str  # the keyboard shortcut scoring.js gives it


@dataclass
class AnswerInput:
    """One criterion as a set of radio buttons (yes / no, 1-5) or a number input (0-100),
    with N/A where the rubric allows it."""

    criterion: RubricCriterion
    name: str  # the form field's name
    value: str  # "" unanswered, "na" N/A, else the value as people read it
    choices: list[Choice] = field(default_factory=list)

    @property
    def number(self) -> bool:
        return self.criterion.scale == Scale.ZERO_TO_HUNDRED

    @property
    def answered(self) -> bool:
        return self.value != ""

    @property
    def number_value(self) -> str:
        return "" if self.value in ("", NA) else self.value


def answer_input(
    criterion: RubricCriterion, name: str, value: Decimal | None, known: bool
) -> AnswerInput:
    """The input of one criterion; `known` tells an unanswered criterion from an N/A one."""
    choices = []
    if criterion.scale == Scale.YES_NO:
        choices = [Choice("1", "Yes", "1"), Choice("0", "No", "0")]
    elif criterion.scale == Scale.ONE_TO_FIVE:
        choices = [Choice(str(n), str(n), str(n)) for n in range(1, 6)]
    if criterion.na_allowed:
        choices.append(Choice(NA, "N/A", "a"))
    text = "" if not known else (NA if value is None else selectors.plain(value))
    return AnswerInput(criterion, name, text, choices)


@dataclass
class Section:
    name: str
    inputs: list[AnswerInput]


def sections(inputs: list[AnswerInput]) -> list[Section]:
    """Criteria grouped by their section, in rubric order."""
    result: list[Section] = []
    for one in inputs:
        if not result or result[-1].name != one.criterion.section:
            result.append(Section(one.criterion.section, []))
        result[-1].inputs.append(one)
    return result


# OVERVIEW AND LIST
# ------------------------------------------------------------------------------


def trend_figure(row: selectors.PartnerOverview) -> dict[str, Any]:
    """Agreement (%) and bias (score points, partner minus buyer) of each revealed session,
    by due date; a plain plotly.js figure for static/js/charts.js."""
    x = [s.due_date.isoformat() for s in row.revealed]
    agreement = [
        None if s.agreement is None else round(float(s.agreement) * 100, 1) for s in row.revealed
    ]
    bias = [None if s.bias is None else round(float(s.bias), 1) for s in row.revealed]
    return {
        "data": [
            {
                "type": "scatter", "mode": "lines+markers", "name": "Agreement (%)", "x": x,
                "y": agreement, "line": {"color": ACCENT},
                "hovertemplate": "%{x}: %{y} %<extra>agreement</extra>",
            },
            {
                "type": "scatter", "mode": "lines+markers", "name": "Bias (partner − buyer)",
                "x": x, "y": bias, "yaxis": "y2", "line": {"color": BIAS_COLOUR, "dash": "dot"},
                "hovertemplate": "%{x}: %{y} points<extra>bias</extra>",
            },
        ],
        "layout": {
            "height": 230,
            "margin": {"l": 45, "r": 45, "t": 10, "b": 30},
            "xaxis": {"type": "date"},
            "yaxis": {"title": {"text": "agreement %"}, "range": [0, 100]},
            "yaxis2": {
                "title": {"text": "bias, points"}, "overlaying": "y", "side": "right",
                "zeroline": True, "showgrid": False,
            },
            "legend": {"orientation": "h", "y": -0.2},
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
        },
    }  # fmt: skip


class OverviewView(ViewerRequiredMixin, TemplateView):
    """Per partner: cadence adherence, the alignment trend, open outcomes, what is coming."""

    template_name = "calibration/overview_partners.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = selectors.overview(self.viewer, context["today"])
        context.update(
            rows=rows,
            charts={f"trend-{r.partner.pk}": trend_figure(r) for r in rows if r.revealed},
            can_plan=_runs_sessions(self.viewer),
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
            query=_query_without_page(self.request),
            can_plan=_runs_sessions(self.viewer),
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
        return redirect(_detail_url(session))


# THE SESSION PAGE
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingRow:
    """A disagreement still waiting for an outcome item or a "no action" note."""

    disagreement: services.Disagreement
    agreement: str
    bias: str  # partner minus buyer, points; empty when one side said N/A
    outcome_form: OutcomeForm | None
    note_form: NoActionForm | None


class SessionDetailView(ViewerRequiredMixin, TemplateView):
    """The facilitator's page. Before the reveal it shows who has submitted, never a score
    (a reviewer sees how many answers they gave); after it, the debrief."""

    template_name = "calibration/session_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        viewer = self.viewer
        session = selectors.session_for(viewer, self.kwargs["pk"])
        revealed = blind.sees_everyone(session)
        runs = _runs_sessions(viewer)
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
            open_items = selectors.session_outcomes(viewer, session)
            pending = (
                services.open_disagreements(session)
                if session.status == SessionStatus.REVEALED
                else []
            )
            debrief = selectors.debrief(viewer, session)
            context.update(
                debrief=[
                    (
                        d,
                        [
                            answer_input(
                                r.criterion, f"c{r.criterion.pk}", r.consensus, r.has_consensus
                            )
                            for r in sorted(d.rows, key=lambda r: r.criterion.position)
                        ],
                    )
                    for d in debrief
                ],
                summary=selectors.AlignmentSummary(session),
                pending=[
                    PendingRow(
                        d,
                        selectors.percent(d.agreement),
                        selectors.signed(d.bias) if d.bias is not None else "",
                        OutcomeForm(
                            viewer=viewer,
                            session=session,
                            auto_id=f"id_o{n}_%s",
                            initial={"item": d.item.pk, "criterion": int(d.criterion.key)},
                        )
                        if runs
                        else None,
                        NoActionForm(
                            auto_id=f"id_n{n}_%s",
                            initial={"item": d.item.pk, "criterion": int(d.criterion.key)},
                        )
                        if runs
                        else None,
                    )
                    for n, d in enumerate(pending)
                ],
                outcomes=open_items,
                notes=selectors.session_notes(viewer, session),
                general_outcome_form=OutcomeForm(viewer=viewer, session=session, auto_id="id_g_%s")
                if runs and session.status == SessionStatus.REVEALED
                else None,
            )
        return context


class _SessionActionView(ProgramManagerMixin, View):
    """A program manager's POST on one session; a broken rule becomes a message."""

    anchor = ""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        session = _session(self.viewer, pk)
        try:
            text = self.act(request, session)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if text:
                messages.success(request, text)
        return redirect(_detail_url(session, self.anchor))

    def act(self, request: HttpRequest, session: CalibrationSession) -> str:
        raise NotImplementedError

    def item(self, session: CalibrationSession, raw: Any) -> SessionItem:
        item = SessionItem.objects.filter(session=session, pk=raw).first() if raw else None
        if item is None:
            raise DomainError("That interaction is not part of this session.")
        return item


class SessionDrawView(_SessionActionView):
    anchor = "interactions"

    def act(self, request: HttpRequest, session: CalibrationSession) -> str:
        form = DrawForm(request.POST)
        if not form.is_valid():
            raise _form_problem(form)
        drawn = services.draw_items(
            viewer=self.viewer, session=session, size=form.cleaned_data["size"]
        )
        return f"Drew {drawn} interaction{'s' if drawn != 1 else ''} at random: scoring is open."


class SessionItemAddView(_SessionActionView):
    anchor = "interactions"

    def act(self, request: HttpRequest, session: CalibrationSession) -> str:
        form = ItemAddForm(request.POST)
        if not form.is_valid():
            raise _form_problem(form)
        item = services.item_add(viewer=self.viewer, session=session, **form.cleaned_data)
        return f"Added {item.external_id}."


class SessionReviewerAddView(_SessionActionView):
    anchor = "reviewers"

    def act(self, request: HttpRequest, session: CalibrationSession) -> str:
        raw = request.POST.get("user", "")
        user = (
            User.objects.filter(pk=raw, memberships__account_id=self.viewer.account_id).first()
            if raw.isdigit()
            else None
        )
        if user is None:
            raise DomainError("Choose a member of this account.")
        reviewer = services.reviewer_add(viewer=self.viewer, session=session, user=user)
        return f"{user.display_name} reviews for the {reviewer.get_side_display().lower()} side."


class SessionCloseScoringView(_SessionActionView):
    def act(self, request: HttpRequest, session: CalibrationSession) -> str:
        services.close_scoring(viewer=self.viewer, session=session)
        missing = session.reviewers.filter(missing=True).count()
        return "Scoring is closed and the scores are revealed" + (
            f": {missing} reviewer{'s' if missing != 1 else ''} had not submitted."
            if missing
            else "."
        )


class SessionConsensusView(_SessionActionView):
    anchor = "debrief"

    def act(self, request: HttpRequest, session: CalibrationSession) -> str:
        item = self.item(session, request.POST.get("item"))
        values = posted_answers(request.POST, session.version.criteria.all())
        if not values:
            raise DomainError("Choose at least one agreed value.")
        services.consensus_save(viewer=self.viewer, session=session, item=item, values=values)
        return f"Saved the consensus on {item.external_id}."


class OutcomeAddView(_SessionActionView):
    anchor = "disagreements"

    def act(self, request: HttpRequest, session: CalibrationSession) -> str:
        form = OutcomeForm(request.POST, viewer=self.viewer, session=session)
        if not form.is_valid():
            raise _form_problem(form)
        data = form.cleaned_data
        outcome = services.outcome_add(
            viewer=self.viewer, session=session, kind=data["kind"],
            description=data["description"], owner=data["owner"], due_date=data["due_date"],
            item=self.item(session, data["item"]) if data["item"] else None,
            criterion_id=data["criterion"],
        )  # fmt: skip
        return f"Added the {outcome.get_kind_display().lower()} for {outcome.owner}."


class SessionNoActionView(_SessionActionView):
    anchor = "disagreements"

    def act(self, request: HttpRequest, session: CalibrationSession) -> str:
        form = NoActionForm(request.POST)
        if not form.is_valid():
            raise _form_problem(form)
        data = form.cleaned_data
        services.no_action_save(
            viewer=self.viewer, session=session, item=self.item(session, data["item"]),
            criterion_id=data["criterion"], note=data["note"],
        )  # fmt: skip
        return "Noted: no action needed."


class SessionCloseView(_SessionActionView):
    def act(self, request: HttpRequest, session: CalibrationSession) -> str:
        services.session_close(viewer=self.viewer, session=session)
        return "Closed the session."


class SessionSubmitView(ViewerRequiredMixin, View):
    """A reviewer hands in their scores; the last one to do so reveals them."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        session = _session(self.viewer, pk)
        try:
            services.submit(viewer=self.viewer, session=session)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("calibration:scoring", pk=pk)
        session.refresh_from_db()
        messages.success(
            request,
            "Submitted: every reviewer has now submitted, so the scores are revealed."
            if session.is_revealed
            else "Submitted. Nobody sees your scores until every reviewer has submitted; "
            "you may still change them until then.",
        )
        return redirect(_detail_url(session))


# SCORING
# ------------------------------------------------------------------------------


@dataclass
class ScoringItem:
    item: SessionItem
    number: int
    sections: list[Section]

    @property
    def answered(self) -> int:
        return sum(1 for s in self.sections for i in s.inputs if i.answered)

    @property
    def needed(self) -> int:
        return sum(len(s.inputs) for s in self.sections)


class ScoringView(ViewerRequiredMixin, TemplateView):
    """The reviewer's scoring page: one interaction at a time (or all, `?all=1`), the
    transcript beside the rubric, saving as they go (static/js/scoring.js posts each change
    to `scoring-save`); without JavaScript each interaction's form posts here."""

    template_name = "calibration/scoring_form.html"

    @cached_property
    def session(self) -> CalibrationSession:
        return selectors.session_for(self.viewer, self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        session = self.session
        criteria = list(session.version.criteria.all())
        own = selectors.own_scores(self.viewer, session)
        items = [
            ScoringItem(
                item,
                n,
                sections(
                    [
                        answer_input(
                            c,
                            f"i{item.pk}-c{c.pk}",
                            own.get((item.pk, c.pk)),
                            (item.pk, c.pk) in own,
                        )
                        for c in criteria
                    ]
                ),
            )  # fmt: skip
            for n, item in enumerate(session.items.all(), start=1)
        ]
        show_all = self.request.GET.get("all") == "1"
        wanted = self.request.GET.get("item", "")
        current = next((i for i in items if str(i.item.pk) == wanted), None) or next(
            (i for i in items if i.answered < i.needed), items[0] if items else None
        )
        index = items.index(current) if current else 0
        reviewer = selectors.reviewer_of(self.viewer, session)
        context.update(
            session=session,
            reviewer=reviewer,
            items=items,
            shown=items if show_all else [current] if current else [],
            current=current,
            previous_item=items[index - 1] if current and index > 0 else None,
            next_item=items[index + 1] if current and index + 1 < len(items) else None,
            show_all=show_all,
            locked=session.is_revealed,
            open=session.status == SessionStatus.SCORING and reviewer is not None,
            answered=len(own),
            needed=selectors.answers_needed(session),
        )
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The form of one interaction, posted without JavaScript."""
        session = self.session
        url = reverse("calibration:scoring", args=[pk])
        item = next((i for i in session.items.all() if str(i.pk) == request.POST.get("item")), None)
        if item is None:
            messages.error(request, "That interaction is not part of this session.")
            return redirect(url)
        criteria = list(session.version.criteria.all())
        try:
            values = posted_answers(request.POST, criteria, prefix=f"i{item.pk}-")
            saved = services.score_save(
                viewer=self.viewer, session=session, item=item, values=values
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(f"{url}?item={item.pk}")
        messages.success(request, f"Saved {saved} answer{'s' if saved != 1 else ''} on "
                                  f"{item.external_id}.")  # fmt: skip
        if request.POST.get("all") == "1":
            return redirect(f"{url}?all=1#item-{item.pk}")
        items = list(session.items.all())
        following = items[items.index(item) + 1 :]
        return redirect(f"{url}?item={following[0].pk if following else item.pk}")


class ScoringSaveView(ViewerRequiredMixin, View):
    """Save as you go: `{item, answers: {criterion id: value or null}}` → `services.score_save`.
    Answers with the caller's own counts only, `{saved, answered, needed}`, or a 400
    `{error}` naming the problem; nothing is stored then."""

    def post(self, request: HttpRequest, pk: int) -> JsonResponse:
        session = _session(self.viewer, pk)
        try:
            saved = self.save(request, session)
        except DomainError as exc:
            return JsonResponse({"error": exc.message}, status=400)
        return JsonResponse(
            {
                "saved": saved,
                "answered": selectors.own_answer_count(self.viewer, session),
                "needed": session.items.count() * session.version.criteria.count(),
            }
        )

    def save(self, request: HttpRequest, session: CalibrationSession) -> int:
        try:
            payload = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise DomainError("Send the answers as JSON.") from None
        answers = payload.get("answers") if isinstance(payload, dict) else None
        if not isinstance(answers, dict) or not answers:
            raise DomainError("Send at least one answer: {item, answers: {criterion: value}}.")
        raw_item = payload.get("item")
        item = (
            session.items.filter(pk=raw_item).first()
            if isinstance(raw_item, int | str) and str(raw_item).isdigit()
            else None
        )
        if item is None:
            raise DomainError("That interaction is not part of this session.", field="item")
        criteria = {str(c.pk): c for c in session.version.criteria.all()}
        values: dict[int, Decimal | None] = {}
        for key, raw in answers.items():
            criterion = criteria.get(str(key))
            if criterion is None:
                raise DomainError(f"Criterion {key} is not part of {session.version}.")
            values[criterion.pk] = parse_value(criterion, raw)
        return services.score_save(viewer=self.viewer, session=session, item=item, values=values)


# OUTCOMES
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
            query=_query_without_page(self.request),
            is_pm=self.viewer.role == Role.PROGRAM_MANAGER and not self.viewer.read_only,
            done=OutcomeStatus.DONE,
        )
        return context


class OutcomeUpdateView(ViewerRequiredMixin, View):
    """The owner, or a program manager, marks an outcome done (or open again)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        outcome = selectors.outcome_for(self.viewer, pk)
        status = request.POST.get("status", OutcomeStatus.DONE)
        try:
            services.outcome_update(viewer=self.viewer, outcome=outcome, status=status)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                f"Marked done: {outcome.description[:80]}"
                if status == OutcomeStatus.DONE
                else f"Open again: {outcome.description[:80]}",
            )
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("calibration:outcome-list")
        return redirect(target)
