"""HTML views of QA rubrics: the list, one rubric's versions and criteria, and the criteria
editor. Every member reads them; program managers and QA reviewers write them (others get a
403), through `calibration.services`, whose `DomainError` becomes a form error."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from calibration import selectors, services
from calibration.forms import RubricForm, criterion_formset_class, criterion_initial
from calibration.models import CalibrationSession, QaEvaluation, Rubric, RubricVersion
from calibration.views._common import BUYER_SCORERS, SCORERS
from core.errors import DomainError
from core.scoping import get_scoped_or_404, scope
from partners.mixins import ViewerRequiredMixin, add_domain_error


class RubricListView(ViewerRequiredMixin, TemplateView):
    """The account's rubrics with their latest version: two queries however many."""

    template_name = "calibration/rubric_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        versions = selectors.rubric_versions(self.viewer).order_by("-number")
        rubrics = scope(Rubric, self.viewer).prefetch_related(
            Prefetch("versions", queryset=versions)
        )
        context.update(
            rows=[(r, next(iter(r.versions.all()), None)) for r in rubrics],
            can_edit=self.viewer.role in BUYER_SCORERS,
            can_evaluate=self.viewer.role in SCORERS,
        )
        return context


class RubricDetailView(ViewerRequiredMixin, TemplateView):
    template_name = "calibration/rubric_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rubric = get_scoped_or_404(Rubric, self.viewer, pk=self.kwargs["pk"])
        versions = list(
            selectors.rubric_versions(self.viewer).filter(rubric=rubric).order_by("-number")
        )
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
            sections=selectors.sections_of(criteria),
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
        return (
            selectors.rubric_versions(self.viewer)
            .filter(rubric=self.rubric)
            .order_by("-number")
            .first()
        )

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
            in_use=selectors.version_in_use(latest),
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
            add_domain_error(form, exc)
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
        if (
            latest is not None
            and selectors.version_in_use(latest)
            and version.number > latest.number
        ):
            messages.success(
                self.request,
                f"Saved as version {version.number}; sessions keep the version they started with.",
            )
        else:
            messages.success(self.request, f"Saved version {version.number} of {self.rubric}.")
        return redirect("calibration:rubric-detail", self.rubric.pk)
