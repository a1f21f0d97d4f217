"""HTML views for contracts, SLAs and their bands, volumes, exit criteria and band design.

Thin, as everywhere in Keel: objects come through `partners.scoping` (another partner's or
account's are a 404), writes go through `sla.services` (whose `DomainError` becomes a form
error), and only program managers reach the pages that write.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import FormView, TemplateView

from core import clock
from core.errors import DomainError
from core.scoping import get_scoped_or_404, scope
from kpis.domain import Direction
from partners.mixins import DomainFormMixin, ProgramManagerMixin, ViewerRequiredMixin, paginate
from partners.models import Channel, InteractionType, Role, Team
from sla import design as band_design
from sla import domain, services
from sla.currency import minor_digits
from sla.evaluation import month_of
from sla.forms import (
    CONTRACT_STARTS,
    BaseRateFormSet,
    ContractForm,
    ContractStart,
    DesignForm,
    ExitCriterionForm,
    GovernedKpiForm,
    SlaForm,
    TemplateForm,
    VolumeForm,
    band_formset_class,
    band_initial,
    rate_formset_class,
    rate_initial,
    unit_help,
)
from sla.models import Band, Contract, GovernedKpi, PricingModel, RateLine, Sla

# PRESENTATION
# ------------------------------------------------------------------------------

PER = {
    PricingModel.PER_HOUR: "/h",
    PricingModel.PER_FTE: "/FTE-month",
    PricingModel.PER_CONTACT: "/contact",
    PricingModel.PER_RESOLVED: "/resolved contact",
    PricingModel.OUTCOME: "/channel-month",
}


def per_unit(line: RateLine) -> str:
    """'/h', '/contact', ...: what one rate of the line buys."""
    model = line.hybrid_base if line.pricing_model == PricingModel.HYBRID else None
    return PER.get(PricingModel(model or line.pricing_model), "")


@dataclass(frozen=True)
class RateRow:
    """One rate-card line as people compare prices: its headline rate and its loaded rate,
    with what each loaded-cost component adds (docs/sla.md, "Rate cards")."""

    line: RateLine
    currency: str
    minor: int

    def money(self, amount: Decimal) -> str:
        return domain.format_money(amount, self.currency, self.minor)

    @property
    def what(self) -> str:
        """'Chat', or 'Chat · Complaints'."""
        channel = self.line.get_channel_display()
        kind = self.line.interaction_type
        return f"{channel} · {kind.name}" if kind else channel

    @property
    def per(self) -> str:
        return per_unit(self.line)

    @property
    def headline(self) -> str:
        """'18.00 USD/h', or '12.00 USD/h + 1.50 USD per resolved contact' (hybrid)."""
        line = self.line
        text = f"{self.money(line.rate)}{self.per}"
        if line.pricing_model == PricingModel.HYBRID and line.resolution_bonus:
            text += f" + {self.money(line.resolution_bonus)} per resolved contact"
        return text

    @property
    def loaded(self) -> str:
        return f"{self.money(self.line.loaded_rate)}{self.per}"

    @property
    def text(self) -> str:
        """'Chat: 3.00 USD/contact, loaded 3.57 USD/contact'."""
        return f"{self.what}: {self.headline}, loaded {self.loaded}"


@dataclass(frozen=True)
class RateCard:
    """A contract's price: its rate-card lines, and the loaded-cost components on top of
    every headline rate (docs/sla.md: headline rate is not loaded rate)."""

    contract: Contract

    @property
    def minor(self) -> int:
        return minor_digits(self.contract.currency)

    @cached_property
    def rows(self) -> list[RateRow]:
        return [
            RateRow(line, self.contract.currency, self.minor) for line in self.contract.rates.all()
        ]

    @property
    def loaded_pct(self) -> str:
        return domain.plain_number(self.contract.loaded_pct)

    @property
    def needs_volumes(self) -> list[str]:
        """The channels whose lines bill on entered agent hours or FTE."""
        on_volumes = {PricingModel.PER_HOUR, PricingModel.PER_FTE}
        return [
            row.line.get_channel_display().lower()
            for row in self.rows
            if row.line.pricing_model in on_volumes or row.line.hybrid_base in on_volumes
        ]

    @property
    def typed_channels(self) -> set[str]:
        """Channels with a line for some interaction type: their other line prices the rest."""
        return {line.channel for line in self.contract.rates.all() if line.interaction_type_id}

    @property
    def components(self) -> list[tuple[str, str]]:
        """(label, percentage) of each component entered."""
        return [
            (label, domain.plain_number(pct))
            for label, pct in self.contract.loaded_components.items()
            if pct
        ]

    @property
    def models(self) -> str:
        """'Per agent hour (voice), per contact (chat, email)'."""
        by_model: dict[str, list[str]] = defaultdict(list)
        for line in self.contract.rates.all():
            label = line.get_channel_display().lower()
            if label not in by_model[line.get_pricing_model_display()]:
                by_model[line.get_pricing_model_display()].append(label)
        text = ", ".join(f"{model.lower()} ({', '.join(ch)})" for model, ch in by_model.items())
        return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class BandRow:
    band: Band
    bounds: str


@dataclass(frozen=True)
class GovernedView:
    governed: GovernedKpi
    bands: list[BandRow]  # best values first, as contracts write them
    warnings: list[str]


def governed_view(governed: GovernedKpi) -> GovernedView:
    definition = governed.definition
    bands = list(governed.bands.all())
    rows = [BandRow(b, domain.bounds_text(b.spec, definition)) for b in bands]
    if definition.direction is Direction.HIGHER_IS_BETTER:
        rows.reverse()
    specs = [b.spec for b in bands]
    warnings = domain.band_warnings(specs, definition, guardrail=governed.guardrail)
    return GovernedView(governed, rows, warnings)


def contract_url(contract_id: int, anchor: str = "") -> str:
    url = reverse("sla:contract-detail", args=[contract_id])
    return f"{url}#{anchor}" if anchor else url


_RATES = Prefetch("rates", queryset=RateLine.objects.select_related("interaction_type"))


def _scoped_contract(viewer: Any, pk: int) -> Contract:
    return get_scoped_or_404(
        Contract.objects.select_related("partner").prefetch_related(_RATES), viewer, pk=pk
    )


def _scoped_sla(viewer: Any, pk: int) -> Sla:
    return get_scoped_or_404(Sla.objects.select_related("contract__partner"), viewer, pk=pk)


# CONTRACTS
# ------------------------------------------------------------------------------


class ContractListView(ViewerRequiredMixin, TemplateView):
    """Every contract the viewer may see, with its price headline against its loaded rate.
    One query for the page however many contracts (plus the page count)."""

    template_name = "sla/contract_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        contracts = (
            scope(Contract, self.viewer)
            .select_related("partner")
            .prefetch_related(_RATES)
            .annotate(sla_count=Count("slas"))
            .order_by("partner__name", "-start_date", "pk")
        )
        page = paginate(self.request, contracts)
        context.update(
            page=page,
            rows=[(c, RateCard(c)) for c in page.object_list],
            can_edit=self.viewer.role == Role.PROGRAM_MANAGER,
        )
        return context


class RowsEditView(ProgramManagerMixin, TemplateView):
    """A form and its rows (a formset), saved together by a service or not at all: a
    refusal naming the rows (`formset_prefix`) shows above them, any other on the form."""

    formset_prefix = ""

    def forms(self, data: Any = None) -> tuple[Any, Any]:
        raise NotImplementedError

    def render_forms(self, form: Any, formset: Any) -> HttpResponse:
        raise NotImplementedError

    def save(self, form: Any, formset: Any) -> HttpResponse:
        raise NotImplementedError

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_forms(*self.forms())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form, formset = self.forms(request.POST)
        if not (form.is_valid() and formset.is_valid()):
            return self.render_forms(form, formset)
        try:
            return self.save(form, formset)
        except DomainError as exc:
            if exc.field and exc.field == self.formset_prefix and exc.field not in form.fields:
                formset.refuse(exc.message)
            else:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.render_forms(form, formset)


class ContractFormView(RowsEditView):
    """Add a contract, or edit one (with `pk`): its terms and its rate card, saved together
    or not at all. A new contract may start from elsewhere (`CONTRACT_STARTS`, e.g.
    `?from_candidate=<id>`: a chosen candidate's quote)."""

    template_name = "sla/contract_form.html"
    formset_prefix = "rates"  # a refusal of the rate card shows above its lines

    @cached_property
    def contract(self) -> Contract | None:
        if "pk" not in self.kwargs:
            return None
        return _scoped_contract(self.viewer, self.kwargs["pk"])

    @cached_property
    def start(self) -> ContractStart | None:
        if self.contract is not None:
            return None
        for parameter, start in CONTRACT_STARTS.items():
            if parameter in self.request.GET:
                return start(self.viewer, self.request.GET[parameter])
        return None

    def forms(self, data: Any = None) -> tuple[ContractForm, BaseRateFormSet]:
        start = self.start
        rows = rate_initial(self.contract) if self.contract else (start.rates if start else [])
        formset_class = rate_formset_class(extra=1 if rows else 2)
        formset = formset_class(
            data,
            initial=rows,
            prefix=self.formset_prefix,
            form_kwargs={"interaction_types": scope(InteractionType, self.viewer)},
        )
        initial = start.initial if start else None
        form = ContractForm(data, viewer=self.viewer, instance=self.contract, initial=initial)
        return form, formset

    def render_forms(self, form: ContractForm, formset: BaseRateFormSet) -> HttpResponse:
        return self.render_to_response(
            self.get_context_data(form=form, formset=formset, contract=self.contract)
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.start is not None:
            messages.info(
                request,
                f"Started from {self.start.source}: check the dates, the caps and each line "
                "before saving.",
            )
        return super().get(request, *args, **kwargs)

    def save(self, form: ContractForm, formset: BaseRateFormSet) -> HttpResponse:
        contract = services.contract_save(
            viewer=self.viewer, contract=form.save(commit=False), rates=formset.rates()
        )
        messages.success(self.request, f"Saved the contract {contract.name}.")
        return redirect(contract_url(contract.pk))


class ContractDetailView(ViewerRequiredMixin, TemplateView):
    template_name = "sla/contract_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        contract = _scoped_contract(self.viewer, self.kwargs["pk"])
        slas = contract.slas.prefetch_related(
            Prefetch(
                "governed",
                queryset=GovernedKpi.objects.prefetch_related(
                    Prefetch("bands", queryset=Band.objects.order_by("position"))
                ),
            )
        )
        volumes = list(contract.volumes.order_by("month", "channel"))
        by_month: dict[date, dict[str, Any]] = defaultdict(dict)
        for volume in volumes:
            by_month[volume.month][volume.channel] = volume
        channels = [c for c in Channel if any(v.channel == c for v in volumes)]
        context.update(
            contract=contract,
            card=RateCard(contract),
            slas=[(sla, [governed_view(g) for g in sla.governed.all()]) for sla in slas],
            volume_channels=channels,
            volume_rows=[
                (month, [row.get(c.value) for c in channels]) for month, row in by_month.items()
            ],
            exit_criteria=list(contract.exit_criteria.all()),
            can_edit=self.viewer.role == Role.PROGRAM_MANAGER,
        )
        return context


# SLAS
# ------------------------------------------------------------------------------


class SlaCreateView(ProgramManagerMixin, DomainFormMixin, FormView):
    form_class = SlaForm
    template_name = "sla/sla_form.html"

    @cached_property
    def contract(self) -> Contract:
        return _scoped_contract(self.viewer, self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(contract=self.contract, **kwargs)

    def perform(self, form: SlaForm) -> HttpResponse:
        sla = form.save(commit=False)
        sla.contract = self.contract
        services.sla_save(viewer=self.viewer, sla=sla)
        messages.success(self.request, f"Added the SLA {sla.name}: now give it KPIs and bands.")
        return redirect(contract_url(self.contract.pk, f"sla-{sla.pk}"))


# GOVERNED KPIS AND THEIR BANDS
# ------------------------------------------------------------------------------


def _report(request: HttpRequest, result: services.GovernedResult, verb: str) -> None:
    messages.success(
        request, f"{verb} {result.governed} with {result.governed.bands.count()} bands."
    )
    for warning in result.warnings:
        messages.warning(request, warning)


class GovernedKpiEditView(RowsEditView):
    """The band editor: channel, KPI, guardrail and one row per band. The service checks the
    layout as a whole (gaps, overlaps, a better value in a worse band); nothing is saved
    while it has a problem."""

    template_name = "sla/band_form.html"
    formset_prefix = "bands"  # a refused layout shows above the band rows

    @cached_property
    def governed(self) -> GovernedKpi | None:
        return None

    @cached_property
    def sla(self) -> Sla:
        return _scoped_sla(self.viewer, self.kwargs["pk"])

    def forms(self, data: Any = None) -> tuple[GovernedKpiForm, Any]:
        governed = self.governed
        initial: dict[str, Any] = {}
        rows: list[dict[str, Any]] = []
        if governed is not None:
            initial = {
                "channel": governed.channel,
                "kpi": governed.kpi,
                "guardrail": governed.guardrail,
                "min_sample": governed.min_sample,
            }
            rows = band_initial(governed.band_specs())
        formset_class = band_formset_class(extra=2 if rows else 4)
        return (
            GovernedKpiForm(data, initial=initial),
            formset_class(data, initial=rows, prefix=self.formset_prefix),
        )

    def render_forms(self, form: GovernedKpiForm, formset: Any) -> HttpResponse:
        kpi = form.chosen_kpi() or (self.governed.definition if self.governed else None)
        context = self.get_context_data(
            form=form,
            formset=formset,
            rows=[(row, row.preview(kpi)) for row in formset],
            sla=self.sla,
            contract=self.sla.contract,
            governed=self.governed,
            kpi=kpi,
            unit=kpi.unit.value if kpi else None,
            unit_help=unit_help(kpi),
        )
        return self.render_to_response(context)

    def save(self, form: GovernedKpiForm, formset: Any) -> HttpResponse:
        result = services.governed_kpi_save(
            viewer=self.viewer,
            sla=self.sla,
            channel=form.cleaned_data["channel"],
            kpi=form.cleaned_data["kpi"],
            guardrail=form.cleaned_data["guardrail"],
            bands=formset.bands(),
            min_sample=form.cleaned_data["min_sample"],
            governed=self.governed,
        )
        _report(self.request, result, "Saved")
        return redirect(contract_url(self.sla.contract_id, f"sla-{self.sla.pk}"))


class GovernedKpiUpdateView(GovernedKpiEditView):
    @cached_property
    def governed(self) -> GovernedKpi | None:
        return get_scoped_or_404(
            GovernedKpi.objects.select_related("sla__contract__partner").prefetch_related(
                Prefetch("bands", queryset=Band.objects.order_by("position"))
            ),
            self.viewer,
            pk=self.kwargs["pk"],
        )

    @cached_property
    def sla(self) -> Sla:
        assert self.governed is not None
        return self.governed.sla


class GovernedKpiDeleteView(ProgramManagerMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        governed = get_scoped_or_404(
            GovernedKpi.objects.select_related("sla__contract"), self.viewer, pk=pk
        )
        sla = governed.sla
        label = str(governed)
        try:
            services.governed_kpi_delete(viewer=self.viewer, governed=governed)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{sla.name} no longer governs {label}.")
        return redirect(contract_url(sla.contract_id, f"sla-{sla.pk}"))


class GovernedTemplateView(ProgramManagerMixin, DomainFormMixin, FormView):
    """Start from one of DOMAIN.md's band layouts, then adjust it in the band editor."""

    form_class = TemplateForm
    template_name = "sla/band_template.html"

    @cached_property
    def sla(self) -> Sla:
        return _scoped_sla(self.viewer, self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        templates = [
            (
                t,
                domain.governable(t.kpi),
                [(b, domain.bounds_text(b, domain.governable(t.kpi))) for b in t.bands],
            )
            for t in domain.TEMPLATES.values()
        ]
        return super().get_context_data(
            sla=self.sla, contract=self.sla.contract, templates=templates, **kwargs
        )

    def perform(self, form: TemplateForm) -> HttpResponse:
        result = services.governed_kpi_from_template(
            viewer=self.viewer,
            sla=self.sla,
            channel=form.cleaned_data["channel"],
            template=form.cleaned_data["template"],
        )
        _report(self.request, result, "Added")
        return redirect("sla:governed-update", pk=result.governed.pk)


# VOLUMES
# ------------------------------------------------------------------------------


class VolumeEditView(ProgramManagerMixin, FormView):
    """A month's agent hours and FTE per channel, saved all together or not at all."""

    form_class = VolumeForm
    template_name = "sla/volume_form.html"

    @cached_property
    def contract(self) -> Contract:
        return _scoped_contract(self.viewer, self.kwargs["pk"])

    @cached_property
    def month(self) -> date:
        """?month=YYYY-MM, else the last complete month the contract covers."""
        field = VolumeForm.base_fields["month"]
        try:
            chosen = field.clean(self.request.GET.get("month"))
        except ValidationError:  # no month, or not one: the default
            chosen = None
        if chosen:
            return chosen
        previous = month_of(clock.today(self.viewer.account)).previous().start
        return (
            previous if self.contract.covers(previous) else self.contract.start_date.replace(day=1)
        )

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "channels": self.contract.channels}

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {"month": self.month}
        for volume in self.contract.volumes.filter(month=self.month):
            initial[f"hours_{volume.channel}"] = volume.hours
            initial[f"fte_{volume.channel}"] = volume.fte
        return initial

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(
            contract=self.contract, card=RateCard(self.contract), **kwargs
        )
        form = context["form"]
        posted = getattr(form, "cleaned_data", {}).get("month") if form.is_bound else None
        context["month"] = posted or self.month
        return context

    def form_valid(self, form: VolumeForm) -> HttpResponse:
        month = form.cleaned_data["month"]
        rows = form.entered()
        if not rows:
            form.add_error(None, "Enter agent hours or FTE for at least one channel.")
            return self.form_invalid(form)
        channel = ""
        try:
            # One transaction: a row the service refuses leaves every row as it was.
            with transaction.atomic():
                for channel, hours, fte in rows:
                    services.volume_save(
                        viewer=self.viewer,
                        contract=self.contract,
                        channel=channel,
                        month=month,
                        hours=hours,
                        fte=fte,
                    )
        except DomainError as exc:
            name = f"{exc.field}_{channel}"
            if name in form.fields:
                form.add_error(name, exc.message)
            else:
                form.add_error("month" if exc.field == "month" else None, exc.message)
            return self.form_invalid(form)
        channels = ", ".join(Channel(c).label.lower() for c, _, _ in rows)
        messages.success(self.request, f"Saved the {month:%B %Y} volumes for {channels}.")
        return redirect(contract_url(self.contract.pk, "volumes"))


# EXIT CRITERIA
# ------------------------------------------------------------------------------


class ExitCriterionCreateView(ProgramManagerMixin, DomainFormMixin, FormView):
    form_class = ExitCriterionForm
    template_name = "sla/exit_form.html"

    @cached_property
    def contract(self) -> Contract:
        return _scoped_contract(self.viewer, self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(contract=self.contract, **kwargs)

    def perform(self, form: ExitCriterionForm) -> HttpResponse:
        criterion = form.save(commit=False)
        criterion.contract = self.contract
        services.exit_criterion_save(viewer=self.viewer, criterion=criterion)
        messages.success(self.request, f"Added the exit criterion: {criterion.description}.")
        return redirect(contract_url(self.contract.pk, "exit"))


# BAND DESIGN FROM PILOT DATA
# ------------------------------------------------------------------------------


class BandDesignView(ViewerRequiredMixin, TemplateView):
    """The distribution of a KPI's weekly values over the pilot, and the bands its
    percentiles suggest. Anyone who sees the SLA may look; program managers may use the
    suggested bands (POST), which replace that channel and KPI's bands in the SLA."""

    template_name = "sla/design_bands.html"

    @cached_property
    def sla(self) -> Sla:
        return _scoped_sla(self.viewer, self.kwargs["pk"])

    def defaults(self) -> dict[str, Any]:
        today = clock.today(self.viewer.account)
        first, last = band_design.default_weeks(self.sla.contract.partner, today)
        governed = self.sla.governed.order_by("channel", "kpi").first()
        if governed is not None:
            channel = governed.channel
        else:  # the channel of the partner's first team: the pilot's, usually
            team = scope(Team, self.viewer).filter(partner=self.sla.contract.partner).first()
            channel = team.channel if team else Channel.values[0]
        return {
            "channel": channel,
            "kpi": governed.kpi if governed and governed.kpi != domain.CALIBRATION else "csat",
            "first_week": first.isoformat(),
            "last_week": last.isoformat(),
            "cut_1": "10",
            "cut_2": "40",
            "cut_3": "80",
        }

    def existing(self, form: DesignForm) -> GovernedKpi | None:
        return (
            scope(GovernedKpi, self.viewer)
            .filter(
                sla=self.sla, channel=form.cleaned_data["channel"], kpi=form.cleaned_data["kpi"]
            )
            .first()
        )

    def design(self, form: DesignForm) -> tuple[band_design.Design | None, GovernedKpi | None]:
        if not form.is_valid():
            return None, None
        existing = self.existing(form)
        try:
            result = band_design.band_design(
                viewer=self.viewer,
                partner=self.sla.contract.partner,
                channel=form.cleaned_data["channel"],
                kpi=form.cleaned_data["kpi"],
                weeks=form.weeks(),
                cuts=form.cuts(),
                guardrail=existing.guardrail if existing else None,
                min_sample=existing.min_sample if existing else None,
            )
        except ValueError as exc:
            form.add_error(None, str(exc))
            return None, existing
        return result, existing

    def render_design(self, form: DesignForm) -> HttpResponse:
        result, existing = self.design(form)
        context: dict[str, Any] = {
            "sla": self.sla,
            "contract": self.sla.contract,
            "partner": self.sla.contract.partner,
            "form": form,
            "design": result,
            "existing": existing,
            "min_weeks": band_design.MIN_WEEKS,
            "can_apply": self.viewer.role == Role.PROGRAM_MANAGER,
        }
        if result is not None:
            context.update(
                channel_label=Channel(form.cleaned_data["channel"]).label.lower(),
                weeks=[
                    (w, domain.format_value(result.kpi, w.value) if w.value is not None else "–")
                    for w in result.weeks
                ],
                summary=[
                    (label, domain.format_value(result.kpi, getattr(result.summary, attr)))
                    for label, attr in (
                        ("min", "minimum"),
                        ("p10", "p10"),
                        ("median", "median"),
                        ("p90", "p90"),
                        ("max", "maximum"),
                    )
                ]
                if result.summary
                else [],
                bands=[(b, domain.bounds_text(b, result.kpi)) for b in result.bands],
                charts=(
                    {"design-distribution": band_design.distribution_figure(result)}
                    if result.values
                    else {}
                ),
            )
        return self.render_to_response(self.get_context_data(**context))

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        data = {**self.defaults(), **request.GET.dict()}
        return self.render_design(DesignForm(data))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.viewer.role != Role.PROGRAM_MANAGER:
            raise PermissionDenied("Only the buyer's program managers change bands.")
        form = DesignForm(request.POST)
        result, existing = self.design(form)
        if result is None or not result.bands:
            messages.error(request, "There is no suggestion to use: too little data.")
            return self.render_design(form)
        try:
            saved = services.governed_kpi_save(
                viewer=self.viewer,
                sla=self.sla,
                channel=form.cleaned_data["channel"],
                kpi=form.cleaned_data["kpi"],
                guardrail=result.guardrail,
                bands=result.bands,
                min_sample=result.min_sample,
                governed=existing,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return self.render_design(form)
        _report(request, saved, "Replaced the bands of" if existing else "Added")
        return redirect(contract_url(self.sla.contract_id, f"sla-{self.sla.pk}"))
