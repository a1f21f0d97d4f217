"""Moving an engagement through its stages: each new stage ends the current one, and an
expansion step is gated on the SLA results and calibration alignment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from core.errors import DomainError
from core.scoping import Role, Viewer, ensure_in_scope, require_role
from engagements import domain
from engagements.models import EngagementStage, StageKind
from engagements.services.common import CHANNELS, audit, full_clean
from partners.models import InteractionType, Partner


@dataclass(frozen=True)
class StageInput:
    kind: str
    started_on: date
    expansion: str = ""
    description: str = ""
    channels: Sequence[str] = ()
    interaction_types: Sequence[InteractionType] = ()
    shifts: Sequence[str] = ()
    ramp_weeks: int | None = None
    gate_months: int = 2
    alignment_threshold_pct: Decimal = Decimal(85)
    override_reason: str = ""
    back_reason: str = ""


def current_stage(partner: Partner) -> EngagementStage | None:
    return partner.stages.order_by("-started_on", "-pk").first()


def _check_stage(viewer: Viewer, data: StageInput, current: EngagementStage | None) -> None:
    if data.kind not in StageKind.values:
        raise DomainError(f"'{data.kind}' is not a stage.", field="kind")
    kind = domain.StageKind(data.kind)
    if kind is domain.StageKind.EXPANSION:
        if data.expansion not in domain.Expansion._value2member_map_:
            choices = ", ".join(e.value for e in domain.Expansion)
            raise DomainError(f"Say what the expansion adds: {choices}.", field="expansion")
    elif data.expansion:
        raise DomainError("Only an expansion step adds an expansion kind.", field="expansion")
    problem = domain.move_problem(
        domain.StageKind(current.kind) if current else None, kind, data.back_reason
    )
    if problem:
        raise DomainError(problem, code="stage_backwards", field="back_reason")
    if current is not None and data.started_on < current.started_on:
        raise DomainError(
            f"The new stage cannot start ({data.started_on}) before the current one "
            f"({current.started_on}).",
            field="started_on",
        )
    unknown = [c for c in data.channels if c not in CHANNELS]
    if unknown:
        raise DomainError(f"'{unknown[0]}' is not a channel.", field="channels")
    bad_shift = [s for s in data.shifts if s not in domain.Shift._value2member_map_]
    if bad_shift:
        raise DomainError(f"'{bad_shift[0]}' is not a shift.", field="shifts")
    for interaction_type in data.interaction_types:
        ensure_in_scope(
            interaction_type, viewer, message="An interaction type is not part of this account."
        )
    if kind is domain.StageKind.PILOT and (
        len(data.channels) > 1 or len(data.interaction_types) > 1 or len(data.shifts) > 1
    ):
        raise DomainError(
            "A pilot runs on a tight scope: one channel, one interaction type, one shift.",
            code="pilot_too_wide",
        )


def stage_start(
    *, viewer: Viewer, partner: Partner, data: StageInput, gate: domain.Gate | None = None
) -> EngagementStage:
    """Move the engagement to a new stage. An expansion step is gated: when `gate` (see
    `engagements.selectors.gate_for`) is red, the step needs a reason to be approved anyway,
    and the gate is recorded as it stood."""
    require_role(viewer, (Role.PROGRAM_MANAGER,), what="move engagements through their stages")
    ensure_in_scope(partner, viewer, message="No such partner.")
    with transaction.atomic():
        Partner.objects.select_for_update().filter(pk=partner.pk).first()
        current = current_stage(partner)
        _check_stage(viewer, data, current)
        kind = domain.StageKind(data.kind)
        gated = kind is domain.StageKind.EXPANSION
        if gated and gate is None:
            raise ValueError("An expansion step needs its gate.")
        if gated and gate is not None and not gate.green and not data.override_reason.strip():
            raise DomainError(
                "The gate is red: "
                + " ".join(gate.reasons)
                + " To expand anyway, give the reason you approve the step despite it.",
                code="gate_red",
                field="override_reason",
            )
        flag = ""
        if data.ramp_weeks is not None and kind in {
            domain.StageKind.PILOT,
            domain.StageKind.EXPANSION,
        }:
            routine_only = bool(data.interaction_types) and all(
                t.is_routine for t in data.interaction_types
            )
            brand = data.expansion == domain.Expansion.BRAND_SENSITIVE or any(
                t.is_brand_sensitive for t in data.interaction_types
            )
            flag = (
                domain.ramp_flag(data.ramp_weeks, routine_only=routine_only, brand_sensitive=brand)
                or ""
            )
        stage = EngagementStage(
            partner=partner,
            kind=data.kind,
            expansion=data.expansion,
            description=data.description.strip(),
            started_on=data.started_on,
            channels=list(dict.fromkeys(data.channels)),
            shifts=list(dict.fromkeys(data.shifts)),
            ramp_weeks=data.ramp_weeks,
            ramp_flag=flag,
            gate_months=data.gate_months,
            alignment_threshold_pct=data.alignment_threshold_pct,
            back_reason=data.back_reason.strip(),
            approved_by=viewer.user,
            approved_by_label=viewer.label,
        )
        if gated and gate is not None:
            stage.gate_green = gate.green
            stage.gate_reasons = list(gate.reasons)
            stage.gate_alignment = gate.alignment
            stage.override_reason = "" if gate.green else data.override_reason.strip()
        full_clean(stage, exclude=["partner", "approved_by"])
        if current is not None and current.ended_on is None:
            current.ended_on = data.started_on
            current.save(update_fields=["ended_on"])
        stage.save()
        stage.interaction_types.set(data.interaction_types)
        if kind is domain.StageKind.PILOT and partner.go_live_date is None:
            partner.go_live_date = data.started_on
            partner.save(update_fields=["go_live_date"])
        despite = " despite a red gate" if stage.approved_despite_red else ""
        audit(
            viewer,
            "stage.started",
            f"{partner}: {stage.title} from {stage.started_on}{despite}",
            stage=stage.pk,
        )
    return stage
