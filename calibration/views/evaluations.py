"""HTML views of QA evaluations and their disputes: the list, scoring an interaction, the
evaluation page (where the partner's QA lead disputes a criterion and the buyer resolves it)
and the list of disputes.

Objects come through `core.scoping` (another partner's or account's are a 404), writes go
through `calibration.services`, whose `DomainError` becomes a form error.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView

from calibration import domain, selectors, services
from calibration.forms import (
    DisputeFilterForm,
    DisputeRaiseForm,
    DisputeResolveForm,
    EvaluationFilterForm,
    EvaluationForm,
    proposal_choices,
)
from calibration.models import Dispute, DisputeStatus, QaEvaluation, Rubric, RubricVersion, Side
from calibration.views._common import BUYER_SCORERS, SCORERS, query_without_page
from core import clock
from core.errors import DomainError
from core.scoping import get_scoped_or_404, scope
from partners.mixins import ViewerRequiredMixin, add_domain_error, paginate
from partners.models import Role


def _evaluation_url(pk: int, anchor: str = "") -> str:
    url = reverse("calibration:evaluation-detail", args=[pk])
    return f"{url}#{anchor}" if anchor else url


# QA EVALUATIONS
# ------------------------------------------------------------------------------


class EvaluationListView(ViewerRequiredMixin, TemplateView):
    """QA evaluations the viewer may see: a constant number of queries however many rows."""

    template_name = "calibration/evaluation_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = EvaluationFilterForm(self.request.GET or None, viewer=self.viewer)
        evaluations = selectors.evaluations_list(
            self.viewer,
            partner=form.value("partner"),
            agent=form.value("agent"),
            side=form.value("side"),
        )
        page = paginate(self.request, evaluations)
        context.update(
            form=form,
            page=page,
            rows=[(e, selectors.score_text(e)) for e in page.object_list],
            query=query_without_page(self.request),
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
            add_domain_error(form, exc)
            return self.render_form(form)
        messages.success(
            request,
            f"Saved the QA of {evaluation.external_id} ({evaluation.agent.name}): "
            f"score {selectors.score_text(evaluation)}.",
        )
        return redirect("calibration:evaluation-detail", evaluation.pk)


# THE EVALUATION PAGE AND ITS DISPUTES
# ------------------------------------------------------------------------------


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
        posted_on = raise_form.posted_criterion() if raise_form is not None else None
        on_row = (
            can_raise
            and posted_on in {a.criterion_id for a in answers}
            and posted_on not in open_by_criterion
        )
        rows = [
            selectors.AnswerRow(
                a,
                domain.earned(a.criterion.spec, domain.Answer(a.value)),
                selectors.answer_text(a.criterion, a.value),
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
            "score": selectors.score_text(evaluation),
            "sections": selectors.answer_sections(rows),
            "points": sum((r.points for r in applicable if r.points is not None), Decimal(0)),
            "possible": sum((r.criterion.weight for r in applicable), Decimal(0)),
            "left_out": [r.criterion.name for r in rows if r.points is None],
            "disputes": [(d, selectors.change_text(d), resolve_forms[d.pk]) for d in disputes],
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
                add_domain_error(form, exc)
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
                add_domain_error(form, exc)
            else:
                dispute.evaluation.refresh_from_db(fields=["score", "critical_failed"])
                messages.success(
                    request,
                    f"{selectors.change_text(dispute)}. The score is "
                    f"{selectors.score_text(dispute.evaluation)}.",
                )
                return redirect(_evaluation_url(dispute.evaluation_id, "disputes"))
        return self.page(self.evaluation(dispute.evaluation_id), resolve_form=(dispute.pk, form))


class DisputeListView(ViewerRequiredMixin, TemplateView):
    template_name = "calibration/dispute_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = DisputeFilterForm(self.request.GET or None, viewer=self.viewer)
        disputes = selectors.disputes_list(
            self.viewer, status=form.value("status"), partner=form.value("partner")
        )
        page = paginate(self.request, disputes)
        context.update(
            form=form,
            page=page,
            rows=[(d, selectors.change_text(d)) for d in page.object_list],
            shares=selectors.dispute_shares(self.viewer),
            query=query_without_page(self.request),
        )
        return context
