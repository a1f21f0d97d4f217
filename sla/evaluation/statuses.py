"""Band statuses: where each governed KPI stands in a month, with the projection to month
end while the month is open."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sla import domain
from sla.evaluation.diff import changed
from sla.evaluation.inputs import CHANNEL_LABELS, Evaluated
from sla.models import Band, BandStatus, Contract


def _status_fields(
    item: Evaluated, bands: dict[tuple[int, int], Band], complete: bool
) -> dict[str, Any]:
    r = item.result
    p = item.projection
    shown = domain.result_value(r)
    band_obj = None
    if r.band is not None:
        index = item.governed.band_specs().index(r.band)
        band_obj = bands.get((item.governed.pk, index))
    return {
        "partner_id": item.governed.sla.contract.partner_id,
        "channel": item.governed.channel,
        "kpi": item.governed.kpi,
        "value": r.value,
        "value_text": shown.number if shown else "",
        "sample": r.sample,
        "low": r.low,
        "high": r.high,
        "band": band_obj,
        "band_kind": r.band.kind.value if r.band else "",
        "band_label": r.band.name if r.band else "",
        "decision": r.decision.value,
        "at_risk": r.at_risk,
        "month_complete": complete,
        "projected_value": p.value if p else None,
        "projected_low": p.low if p else None,
        "projected_high": p.high if p else None,
        "projected_band_label": p.band.name if p and p.band else "",
        "heading": domain.heading(p).value if p else "",
    }


def sync_statuses(
    contract: Contract, evaluated: list[Evaluated], month: date, complete: bool, now: datetime
) -> int:
    bands = {
        (b.governed_id, i): b
        for e in evaluated
        for i, b in enumerate(sorted(e.governed.bands.all(), key=lambda b: b.position))
    }
    stored = {
        s.governed_id: s
        for s in BandStatus.objects.filter(
            governed__in=[e.governed for e in evaluated], month=month
        ).select_related("band")
    }
    create, update = [], []
    for item in evaluated:
        fields = _status_fields(item, bands, complete)
        fields["explanation"] = _status_text(item)
        status = stored.get(item.governed.pk)
        if status is None:
            create.append(
                BandStatus(governed=item.governed, month=month, computed_at=now, **fields)
            )
        elif changed(status, fields):
            for name, value in fields.items():
                setattr(status, name, value)
            status.computed_at = now
            update.append(status)
    BandStatus.objects.bulk_create(create)
    if update:
        BandStatus.objects.bulk_update(update, [*fields, "computed_at"])
    written = len(create) + len(update)
    # A KPI whose bands were all removed no longer has a standing.
    BandStatus.objects.filter(governed__sla__contract=contract, month=month).exclude(
        governed__in=[e.governed for e in evaluated]
    ).delete()
    return written


def _status_text(item: Evaluated) -> str:
    text = domain.describe(
        item.result, CHANNEL_LABELS[item.governed.channel], guardrail=item.governed.guardrail
    )
    p = item.projection
    if p is not None:
        text = f"Month to date: {text}"
    if p is not None and p.band is not None and p.value is not None:
        text += f"; projected month end {domain.result_value(p)} ({p.band.name})"
    return text[:400]
