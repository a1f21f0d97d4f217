"""HTML views for QA rubrics, QA evaluations and their disputes, and a partner's calibration
settings.

Thin, as everywhere in Keel: objects come through `partners.scoping` (another partner's or
account's are a 404), writes go through `calibration.services` (whose `DomainError` becomes a
form error), and pages that only the buyer writes refuse partner users with a 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView

from calibration import domain, services
from calibration.forms_qa import (
    DisputeFilterForm,
    DisputeRaiseForm,
    DisputeResolveForm,
    EvaluationFilterForm,
    EvaluationForm,
    PartnerSettingsForm,
    RubricForm,
    answer_text,
    criterion_formset_class,
    criterion_initial,
    scale_choices,
)
from calibration.models import (
    CalibrationSession,
    Dispute,
    DisputeStatus,
    EvaluationAnswer,
    PartnerCalibration,
    QaEvaluation,
    Rubric,
    RubricCriterion,
    RubricVersion,
    Scale,
    Side,
)
from core import clock
from core.errors import DomainError
from core.scoping import Viewer, get_scoped_or_404, scope
from partners.mixins import ViewerRequiredMixin, paginate
from partners.models import Partner, Role

BUYER_SCORERS = set(services.BUYER_SCORERS)  # program managers and QA reviewers
SCORERS = set(services.SCORERS)  # ... and the partners' QA leads


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _count(queryset: QuerySet[Any], outer: str = "pk") -> Coalesce:
    """A correlated COUNT of `queryset` rows whose `version` is the outer row (one query for
    a whole list, without multiplying joins)."""
    counted = (
        queryset.filter(version=OuterRef(outer))
        .order_by()
        .values("version")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _versions(viewer: Viewer) -> QuerySet[RubricVersion]:
    """Versions with their criteria count and their use: sessions and evaluations the viewer
    may see (a partner user counts its own partner's only); `used` counts everyone's, since
    it decides whether an edit makes a new version."""
    return RubricVersion.objects.select_related("created_by").annotate(
        criteria_count=_count(RubricCriterion.objects.all()),
        session_count=_count(scope(CalibrationSession, viewer)),
        evaluation_count=_count(scope(QaEvaluation, viewer)),
        used=_count(CalibrationSession.objects.all()) + _count(QaEvaluation.objects.all()),
    )


def _used(version: RubricVersion | None) -> bool:
    """Whether a version from `_versions` is in use (by anyone)."""
    return bool(version is not None and getattr(version, "used", 0))


def score_text(evaluation: QaEvaluation) -> str:
    """'80.0', or '0: critical criterion missed (Verified identity)' (the domain's words)."""
    failed = (evaluation.critical_failed,) if evaluation.critical_failed else ()
    return domain.InteractionScore(evaluation.score, failed).explanation


def change_text(dispute: Dispute) -> str:
    """'Accuracy 2 → 4, accepted by Rita Reviewer on 3 Mar 2026' (or proposed, or rejected)."""
    name = dispute.criterion.name
    before = answer_text(dispute.criterion, dispute.value_before)
    proposed = answer_text(dispute.criterion, dispute.proposed_value)
    if dispute.status == DisputeStatus.OPEN or dispute.resolved_at is None:
        return f"{name} {before} → {proposed} proposed"
    resolved_on = format_date(clock.local_date(dispute.resolved_at), "j M Y")
    by = f"by {dispute.resolved_by_label} on {resolved_on}"
    if dispute.status == DisputeStatus.ACCEPTED:
        return f"{name} {before} → {proposed}, accepted {by}"
    return f"{name} stays {before} (proposed {proposed}), rejected {by}"


# RUBRICS
# ------------------------------------------------------------------------------


class RubricListView(ViewerRequiredMixin, TemplateView):
    """The account's rubrics with their latest version: two queries however many."""

    template_name = "calibration/rubric_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rubrics = scope(Rubric, self.viewer).prefetch_related(
            Prefetch("versions", queryset=_versions(self.viewer).order_by("-number"))
        )
        context.update(
            rows=[(r, next(iter(r.versions.all()), None)) for r in rubrics],
            can_edit=self.viewer.role in BUYER_SCORERS,
            can_evaluate=self.viewer.role in SCORERS,
        )
        return context


@dataclass(frozen=True)
class Section:
    name: str
    criteria: list[RubricCriterion]

    @property
    def points(self) -> Decimal:
        return sum((c.weight for c in self.criteria), Decimal(0))


def sections_of(criteria: list[RubricCriterion]) -> list[Section]:
    """Criteria grouped by section, sections in the order of their first criterion."""
    grouped: dict[str, list[RubricCriterion]] = {}
    for c in criteria:
        grouped.setdefault(c.section, []).append(c)
    return [Section(name, rows) for name, rows in grouped.items()]


class RubricDetailView(ViewerRequiredMixin, TemplateView):
    template_name = "calibration/rubric_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rubric = get_scoped_or_404(Rubric, self.viewer, pk=self.kwargs["pk"])
        versions = list(_versions(self.viewer).filter(rubric=rubric).order_by("-number"))
        wanted = self.request.GET.get("version")
        if wanted:
            version = next((v for v in versions if str(v.number) == wanted), None)
            if version is None:
                raise Http404("No such version.")
        else:
            version = versions[0] if versions else None
        criteria = list(version.criteria.all()) if version else []
        context.update(
            rubric=rubric,
            versions=versions,
            version=version,
            latest=versions[0] if versions else None,
            sections=sections_of(criteria),
            total_points=sum((c.weight for c in criteria), Decimal(0)),
            sessions=list(
                scope(CalibrationSession, self.viewer)
                .filter(version=version)
                .select_related("partner")[:20]
            )
            if version
            else [],
            evaluations=list(
                scope(QaEvaluation, self.viewer)
                .filter(version=version)
                .select_related("agent", "partner")[:10]
            )
            if version
            else [],
            can_edit=self.viewer.role in BUYER_SCORERS,
            can_evaluate=self.viewer.role in SCORERS,
        )
        return context


class RubricCreateView(ViewerRequiredMixin, TemplateView):
    """The criteria editor: one row per criterion. The service checks the rubric as a whole
    (a critical criterion scored 1-5, two criteria with one name, a weight of 0); nothing is
    saved while it has a problem."""

    allowed_roles = BUYER_SCORERS
    template_name = "calibration/rubric_form.html"
    formset_prefix = "criteria"

    @cached_property
    def rubric(self) -> Rubric | None:
        return None

    @cached_property
    def latest(self) -> RubricVersion | None:
        if self.rubric is None:
            return None
        return _versions(self.viewer).filter(rubric=self.rubric).order_by("-number").first()

    def editor_forms(self, data: Any = None) -> tuple[forms.Form, Any]:
        rows = criterion_initial(self.latest) if self.latest is not None else []
        formset_class = criterion_formset_class(extra=1 if rows else 4)
        # Editing keeps the name and channel: the header form then only carries errors.
        form = RubricForm(data) if self.rubric is None else forms.Form(data)
        return form, formset_class(data, initial=rows, prefix=self.formset_prefix)

    def render_forms(self, form: forms.Form, formset: Any) -> HttpResponse:
        latest = self.latest
        context = self.get_context_data(
            form=form,
            formset=formset,
            rubric=self.rubric,
            latest=latest,
            in_use=_used(latest),
        )
        return self.render_to_response(context)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_forms(*self.editor_forms())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form, formset = self.editor_forms(request.POST)
        if not (form.is_valid() and formset.is_valid()):
            return self.render_forms(form, formset)
        try:
            response = self.save(form, formset.criteria())
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.render_forms(form, formset)
        return response

    def save(self, form: forms.Form, criteria: list[services.CriterionInput]) -> HttpResponse:
        rubric = services.rubric_create(
            viewer=self.viewer,
            name=form.cleaned_data["name"],
            channel=form.cleaned_data["channel"],
            criteria=criteria,
        )
        messages.success(
            self.request, f"Created the rubric {rubric} with {len(criteria)} criteria."
        )
        return redirect("calibration:rubric-detail", rubric.pk)


class RubricUpdateView(RubricCreateView):
    @cached_property
    def rubric(self) -> Rubric | None:
        return get_scoped_or_404(Rubric, self.viewer, pk=self.kwargs["pk"])

    def save(self, form: forms.Form, criteria: list[services.CriterionInput]) -> HttpResponse:
        assert self.rubric is not None
        latest = self.latest
        version = services.rubric_update(viewer=self.viewer, rubric=self.rubric, criteria=criteria)
        if latest is not None and _used(latest) and version.number > latest.number:
            messages.success(
                self.request,
                f"Saved as version {version.number}; sessions keep the version they started with.",
            )
        else:
            messages.success(self.request, f"Saved version {version.number} of {self.rubric}.")
        return redirect("calibration:rubric-detail", self.rubric.pk)


# QA EVALUATIONS
# ------------------------------------------------------------------------------


class EvaluationListView(ViewerRequiredMixin, TemplateView):
    """QA evaluations the viewer may see: a constant number of queries however many rows."""

    template_name = "calibration/evaluation_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = EvaluationFilterForm(self.request.GET or None, viewer=self.viewer)
        evaluations = (
            scope(QaEvaluation, self.viewer)
            .select_related("agent", "partner", "version__rubric")
            .annotate(
                open_disputes=Count("disputes", filter=Q(disputes__status=DisputeStatus.OPEN))
            )
            .order_by("-scored_at", "-pk")  # a GROUP BY drops the model's ordering
        )
        for name in ("partner", "agent", "side"):
            if form.value(name):
                evaluations = evaluations.filter(**{name: form.value(name)})
        page = paginate(self.request, evaluations)
        context.update(
            form=form,
            page=page,
            rows=[(e, score_text(e)) for e in page.object_list],
            query=_query_without_page(self.request),
            can_evaluate=self.viewer.role in SCORERS,
        )
        return context


class EvaluationCreateView(ViewerRequiredMixin, TemplateView):
    """Score one agent's interaction outside calibration, on a rubric's latest version."""

    allowed_roles = SCORERS
    template_name = "calibration/evaluation_form.html"

    @cached_property
    def rubrics(self) -> list[Rubric]:
        return list(scope(Rubric, self.viewer).filter(versions__isnull=False).distinct())

    @cached_property
    def rubric(self) -> Rubric | None:
        wanted = self.request.POST.get("rubric") or self.request.GET.get("rubric")
        chosen = next((r for r in self.rubrics if str(r.pk) == wanted), None)
        if chosen is None and self.request.method == "GET":
            return self.rubrics[0] if self.rubrics else None
        return chosen

    @cached_property
    def version(self) -> RubricVersion | None:
        if self.rubric is None:
            return None
        return (
            self.rubric.versions.select_related("rubric")
            .prefetch_related("criteria")
            .order_by("-number")
            .first()
        )

    def make_form(self, data: Any = None) -> EvaluationForm:
        initial: dict[str, Any] = {}
        if self.rubric is not None:
            initial["rubric"] = self.rubric.pk
            if self.rubric.channel:
                initial["channel"] = self.rubric.channel
        for name in ("agent", "channel", "external_id"):
            if self.request.GET.get(name):
                initial[name] = self.request.GET[name]
        return EvaluationForm(data, initial=initial, viewer=self.viewer, version=self.version)

    def render_form(self, form: EvaluationForm) -> HttpResponse:
        return self.render_to_response(
            self.get_context_data(
                form=form, rubrics=self.rubrics, rubric=self.rubric, version=self.version
            )
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form(self.make_form())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.make_form(request.POST)
        if not form.is_valid() or self.version is None:
            return self.render_form(form)
        try:
            evaluation = services.evaluation_save(
                viewer=self.viewer,
                agent=form.cleaned_data["agent"],
                version=self.version,
                external_id=form.cleaned_data["external_id"],
                channel=form.cleaned_data["channel"],
                values=form.answer_values,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.render_form(form)
        messages.success(
            request,
            f"Saved the QA of {evaluation.external_id} ({evaluation.agent.name}): "
            f"score {score_text(evaluation)}.",
        )
        return redirect("calibration:evaluation-detail", evaluation.pk)


@dataclass
class AnswerRow:
    answer: EvaluationAnswer
    points: Decimal | None  # None: N/A, left out
    value: str
    open_dispute: Dispute | None
    choices: list[tuple[str, str]] | None  # a dispute's proposed values (None: a number)
    raise_form: DisputeRaiseForm | None = None  # posted on this criterion, with errors

    @property
    def criterion(self) -> RubricCriterion:
        return self.answer.criterion


def proposal_choices(criterion: RubricCriterion) -> list[tuple[str, str]] | None:
    """A dispute's radios (None on 0-100: a number)."""
    if criterion.scale == Scale.ZERO_TO_HUNDRED:
        return None
    return scale_choices(criterion)


class EvaluationPageMixin(ViewerRequiredMixin):
    """The evaluation page, also rendered by the dispute POSTs when a form has errors."""

    template_name = "calibration/evaluation_detail.html"

    def evaluation(self, pk: int) -> QaEvaluation:
        return get_scoped_or_404(
            QaEvaluation.objects.select_related("agent", "partner", "version__rubric"),
            self.viewer,
            pk=pk,
        )

    def page(
        self,
        evaluation: QaEvaluation,
        *,
        raise_form: DisputeRaiseForm | None = None,
        resolve_form: tuple[int, DisputeResolveForm] | None = None,
    ) -> HttpResponse:
        answers = list(evaluation.answers.select_related("criterion"))
        disputes = list(evaluation.disputes.select_related("criterion"))
        open_by_criterion = {d.criterion_id: d for d in disputes if d.status == DisputeStatus.OPEN}
        last_day = services.dispute_last_day(evaluation)
        today = clock.today(self.viewer.account)
        is_lead = self.viewer.role == Role.PARTNER_QA_LEAD and not self.viewer.read_only
        can_raise = is_lead and evaluation.side == Side.BUYER and today <= last_day
        # A refused dispute shows its errors in its criterion's form when the page still
        # offers that form; otherwise (window closed, already disputed, unknown criterion)
        # above the disputes.
        posted_on = _posted_criterion(raise_form)
        on_row = (
            can_raise
            and posted_on in {a.criterion_id for a in answers}
            and posted_on not in open_by_criterion
        )
        rows = [
            AnswerRow(
                a,
                domain.earned(a.criterion.spec, domain.Answer(a.value)),
                answer_text(a.criterion, a.value),
                open_by_criterion.get(a.criterion_id),
                proposal_choices(a.criterion),
                raise_form if on_row and posted_on == a.criterion_id else None,
            )
            for a in answers
        ]
        applicable = [r for r in rows if r.points is not None]
        resolve_forms = {d.pk: DisputeResolveForm(auto_id=f"d{d.pk}-%s") for d in disputes}
        if resolve_form is not None:
            resolve_forms[resolve_form[0]] = resolve_form[1]
        context = {
            "evaluation": evaluation,
            "score": score_text(evaluation),
            "sections": _row_sections(rows),
            "points": sum((r.points for r in applicable if r.points is not None), Decimal(0)),
            "possible": sum((r.criterion.weight for r in applicable), Decimal(0)),
            "left_out": [r.criterion.name for r in rows if r.points is None],
            "disputes": [(d, change_text(d), resolve_forms[d.pk]) for d in disputes],
            "open_disputes": len(open_by_criterion),
            "window_days": services.partner_settings(evaluation.partner).dispute_window_days,
            "last_day": last_day,
            "window_open": today <= last_day,
            "can_raise": can_raise,
            "raise_errors": raise_form.errors if raise_form is not None and not on_row else None,
            "can_resolve": self.viewer.role in BUYER_SCORERS,
            "today": today,
        }
        return render(self.request, self.template_name, context)


def _posted_criterion(form: DisputeRaiseForm | None) -> int | None:
    if form is None:
        return None
    try:
        return int(form.data.get("criterion", ""))
    except ValueError:
        return None


def _row_sections(rows: list[AnswerRow]) -> list[tuple[str, list[AnswerRow]]]:
    grouped: dict[str, list[AnswerRow]] = {}
    for row in rows:
        grouped.setdefault(row.criterion.section, []).append(row)
    return list(grouped.items())


class EvaluationDetailView(EvaluationPageMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.page(self.evaluation(pk))


class DisputeRaiseView(EvaluationPageMixin, View):
    """A partner QA lead disputes one criterion of a buyer's evaluation of its agent."""

    allowed_roles = {Role.PARTNER_QA_LEAD}

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        evaluation = self.evaluation(pk)
        criteria = [a.criterion for a in evaluation.answers.select_related("criterion")]
        form = DisputeRaiseForm(request.POST, criteria=criteria)
        if form.is_valid():
            try:
                dispute = services.dispute_raise(
                    viewer=self.viewer,
                    evaluation=evaluation,
                    criterion_id=form.cleaned_data["criterion"],
                    proposed_value=form.cleaned_data["proposed_value"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request,
                    f"Disputed '{dispute.criterion}': the buyer accepts or rejects it.",
                )
                return redirect(_evaluation_url(evaluation.pk, "disputes"))
        return self.page(evaluation, raise_form=form)


class DisputeResolveView(EvaluationPageMixin, View):
    """A buyer PM or QA reviewer accepts (the score changes) or rejects (saying why)."""

    allowed_roles = BUYER_SCORERS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        dispute = get_scoped_or_404(
            Dispute.objects.select_related("criterion", "evaluation"), self.viewer, pk=pk
        )
        form = DisputeResolveForm(request.POST, auto_id=f"d{pk}-%s")
        if form.is_valid():
            try:
                services.dispute_resolve(
                    viewer=self.viewer,
                    dispute=dispute,
                    accept=form.cleaned_data["accept"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                dispute.evaluation.refresh_from_db(fields=["score", "critical_failed"])
                messages.success(
                    request,
                    f"{change_text(dispute)}. The score is {score_text(dispute.evaluation)}.",
                )
                return redirect(_evaluation_url(dispute.evaluation_id, "disputes"))
        return self.page(self.evaluation(dispute.evaluation_id), resolve_form=(dispute.pk, form))


def _evaluation_url(pk: int, anchor: str = "") -> str:
    url = reverse("calibration:evaluation-detail", args=[pk])
    return f"{url}#{anchor}" if anchor else url


# DISPUTES
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AcceptedShare:
    partner: str
    accepted: int
    rejected: int
    open: int

    @property
    def resolved(self) -> int:
        return self.accepted + self.rejected

    @property
    def share(self) -> Decimal | None:
        return Decimal(self.accepted) / self.resolved if self.resolved else None


class DisputeListView(ViewerRequiredMixin, TemplateView):
    template_name = "calibration/dispute_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = DisputeFilterForm(self.request.GET or None, viewer=self.viewer)
        visible = scope(Dispute, self.viewer)
        disputes = visible.select_related("criterion", "evaluation__agent", "evaluation__partner")
        if form.value("status"):
            disputes = disputes.filter(status=form.value("status"))
        if form.value("partner"):
            disputes = disputes.filter(evaluation__partner=form.value("partner"))
        shares = (
            visible.values("evaluation__partner__name")
            .annotate(
                accepted=Count("pk", filter=Q(status=DisputeStatus.ACCEPTED)),
                rejected=Count("pk", filter=Q(status=DisputeStatus.REJECTED)),
                open=Count("pk", filter=Q(status=DisputeStatus.OPEN)),
            )
            .order_by("evaluation__partner__name")
        )
        page = paginate(self.request, disputes)
        context.update(
            form=form,
            page=page,
            rows=[(d, change_text(d)) for d in page.object_list],
            shares=[
                AcceptedShare(
                    s["evaluation__partner__name"], s["accepted"], s["rejected"], s["open"]
                )
                for s in shares
            ],
            query=_query_without_page(self.request),
        )
        return context


# PARTNER SETTINGS
# ------------------------------------------------------------------------------


class PartnerSettingsView(ViewerRequiredMixin, TemplateView):
    """Everyone who sees the partner reads its calibration settings; program managers set
    them."""

    template_name = "calibration/settings_form.html"

    @cached_property
    def partner(self) -> Partner:
        return get_scoped_or_404(Partner, self.viewer, pk=self.kwargs["pk"])

    @property
    def can_edit(self) -> bool:
        return self.viewer.role == Role.PROGRAM_MANAGER and not self.viewer.read_only

    def render_form(
        self, current: PartnerCalibration, form: PartnerSettingsForm | None
    ) -> HttpResponse:
        today = clock.today(self.viewer.account)
        upcoming: list[date] = []
        if self.partner.go_live_date is not None:
            upcoming = [
                d
                for d in domain.due_dates(
                    self.partner.go_live_date,
                    today + timedelta(days=92),
                    domain.Cadence(current.cadence),
                )
                if d >= today
            ][:4]
        rubric = current.rubric or (
            scope(Rubric, self.viewer).order_by("pk").first() if current.rubric_id is None else None
        )
        return self.render_to_response(
            self.get_context_data(
                partner=self.partner,
                current=current,
                rubric=rubric,
                form=form,
                can_edit=self.can_edit,
                upcoming=upcoming,
            )
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        current = services.partner_settings(self.partner)
        form = None
        if self.can_edit:
            form = PartnerSettingsForm(instance=current, viewer=self.viewer)
        return self.render_form(current, form)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.can_edit:
            raise PermissionDenied("Only the buyer's program managers set a partner's calibration.")
        # The form only parses (and runs the model's validators on a copy): the service writes.
        form = PartnerSettingsForm(
            request.POST, instance=services.partner_settings(self.partner), viewer=self.viewer
        )
        if form.is_valid():
            try:
                services.partner_settings_save(
                    viewer=self.viewer,
                    partner=self.partner,
                    cadence=form.cleaned_data["cadence"],
                    rubric=form.cleaned_data["rubric"],
                    sample_size=form.cleaned_data["sample_size"],
                    dispute_window_days=form.cleaned_data["dispute_window_days"],
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"Saved the calibration settings of {self.partner}.")
                return redirect("calibration:partner-settings", self.partner.pk)
        return self.render_form(services.partner_settings(self.partner), form)
