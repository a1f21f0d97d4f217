"""SLAs and the KPIs they govern: each KPI's bands and minimum sample, checked as a whole."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from core import clock
from core.errors import DomainError
from core.scoping import Viewer, ensure_in_scope, require_role
from partners.models import Channel
from partners.services import audit_record
from sla import domain
from sla.models import GovernedKpi, PlanStatus, Sla
from sla.services.common import CHANGE_CONTRACTS, CHANNEL_LABELS, PROGRAM_MANAGERS, full_clean
from sla.services.refresh import contract_changed


def sla_save(*, viewer: Viewer, sla: Sla) -> Sla:
    """Create or rename an SLA of a contract, with its plan rules."""
    require_role(viewer, PROGRAM_MANAGERS, what=CHANGE_CONTRACTS)
    ensure_in_scope(sla.contract, viewer, field="contract", message="No such contract.")
    full_clean(sla, exclude=["contract"])
    with transaction.atomic():
        sla.save()
    return sla


@dataclass(frozen=True)
class GovernedResult:
    governed: GovernedKpi
    warnings: list[str]


def band_problems(
    kpi: str, bands: Sequence[domain.Band], *, guardrail: bool
) -> tuple[list[str], list[str]]:
    """(problems, warnings) of a band layout for a KPI: problems block saving."""
    definition = domain.governable(kpi)
    problems = domain.band_layout_problems(bands, definition)
    if guardrail:
        problems += domain.guardrail_problems(bands, definition)
    return problems, domain.band_warnings(bands, definition, guardrail=guardrail)


def governed_kpi_save(
    *,
    viewer: Viewer,
    sla: Sla,
    channel: str,
    kpi: str,
    guardrail: bool,
    bands: Sequence[domain.Band],
    min_sample: int,
    governed: GovernedKpi | None = None,
) -> GovernedResult:
    """Create or replace a governed KPI, its bands and its minimum sample (one number for
    every band), all or nothing."""
    require_role(viewer, PROGRAM_MANAGERS, what=CHANGE_CONTRACTS)
    ensure_in_scope(sla, viewer, field="sla")
    ensure_in_scope(governed, viewer, field="kpi")
    if channel not in Channel.values:
        raise DomainError(f"'{channel}' is not a channel.", field="channel")
    if kpi not in domain.GOVERNABLE:
        raise DomainError(f"'{kpi}' is not a KPI an SLA can govern.", field="kpi")
    if problems := domain.min_sample_problems(min_sample):
        raise DomainError(" ".join(problems), field="min_sample")
    problems, warnings = band_problems(kpi, bands, guardrail=guardrail)
    if problems:
        raise DomainError(" ".join(problems), code="invalid_bands", field="bands")
    contract = sla.contract
    if channel not in contract.channels:
        label = CHANNEL_LABELS[channel].lower()
        raise DomainError(
            f"The rate card of {contract.name} has no {label} rate, so {label} has no invoice "
            f"for a credit or bonus to be a share of: add a {label} line to the rate card first.",
            field="channel",
        )
    clash = GovernedKpi.objects.filter(sla=sla, channel=channel, kpi=kpi)
    if governed is not None:
        clash = clash.exclude(pk=governed.pk)
    if clash.exists():
        raise DomainError(
            f"{domain.governable(kpi).label} on {channel} is already governed by this SLA.",
            field="kpi",
        )
    with transaction.atomic():
        if governed is None:
            governed = GovernedKpi.objects.create(
                sla=sla, channel=channel, kpi=kpi, guardrail=guardrail, min_sample=min_sample
            )
        else:
            governed.channel, governed.kpi, governed.guardrail = channel, kpi, guardrail
            governed.min_sample = min_sample
            governed.save()
        governed.set_bands(bands)
        audit_record(
            account=viewer.account,
            actor=viewer.user,
            action="sla.bands",
            summary=f"Set the bands of {governed} in {sla}, decided from n≥{min_sample:,}"[:300],
            governed=governed.pk,
        )
        contract_changed(sla.contract, f"the bands of {governed} changed")
    return GovernedResult(governed, warnings)


def governed_kpi_from_template(
    *, viewer: Viewer, sla: Sla, channel: str, template: str
) -> GovernedResult:
    try:
        chosen = domain.TEMPLATES[template]
    except KeyError:
        raise DomainError(f"'{template}' is not a band template.", field="template") from None
    return governed_kpi_save(
        viewer=viewer,
        sla=sla,
        channel=channel,
        kpi=chosen.kpi,
        guardrail=chosen.guardrail,
        bands=chosen.bands,
        min_sample=domain.DEFAULT_MIN_SAMPLE,
    )


def governed_kpi_delete(*, viewer: Viewer, governed: GovernedKpi) -> None:
    """Stop governing a KPI: its open plans close, its band statuses go with it."""
    require_role(viewer, PROGRAM_MANAGERS, what=CHANGE_CONTRACTS)
    ensure_in_scope(governed, viewer)
    with transaction.atomic():
        audit_record(
            account=viewer.account,
            actor=viewer.user,
            action="sla.kpi_removed",
            summary=f"Stopped governing {governed} in {governed.sla}"[:300],
        )
        # Its plans stay on the partner's record, closed; its band statuses go with it.
        governed.plans.filter(status=PlanStatus.OPEN).update(
            status=PlanStatus.CLOSED,
            closed_at=clock.now(),
            closed_reason="The KPI is no longer governed by the SLA.",
        )
        contract_changed(governed.sla.contract, f"{governed} is no longer governed")
        governed.delete()
