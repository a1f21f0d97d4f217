"""The engagement's timeline as its page shows it: each stage with how long it ran and what
it covers in words, a pilot's length against 60-90 days and its weeks on the band design
pages, and the next step of the default sequence."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse

from core.formatting import as_percent
from engagements import domain, selectors
from engagements.models import EngagementStage, StageKind
from kpis.periods import Period, PeriodType
from partners.models import Channel
from sla.models import Sla

CHANNEL_LABELS = dict(Channel.choices)


def step_title(step: domain.PlannedStep) -> str:
    if step.expansion is not None:
        return f"Expansion: {domain.EXPANSION_LABELS[step.expansion].lower()}"
    return StageKind(step.kind.value).label


@dataclass(frozen=True)
class NextStep:
    """The next step of the default sequence (docs/domain.md, "Engagement stages"), dated
    from the pilot's start."""

    step: domain.PlannedStep
    title: str
    from_day: date | None  # the Monday of its first week, counted from the pilot's start


def next_step_of(stage_list: list[EngagementStage]) -> NextStep | None:
    step = selectors.next_step(stage_list)
    if step is None:
        return None
    pilot = next((s for s in stage_list if s.kind == StageKind.PILOT), None)
    from_day = (
        pilot.started_on + timedelta(weeks=step.first_week - 1)
        if pilot is not None and step.kind is not domain.StageKind.PILOT
        else None
    )
    return NextStep(step, step_title(step), from_day)


@dataclass(frozen=True)
class BandLink:
    label: str
    url: str


@dataclass
class StageRow:
    stage: EngagementStage
    days: int | None  # None while the stage has not started
    ongoing: bool
    pilot_note: str = ""
    channels: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    shifts: list[str] = field(default_factory=list)
    band_links: list[BandLink] = field(default_factory=list)

    @property
    def gate_alignment_pct(self) -> Decimal | None:
        return as_percent(self.stage.gate_alignment)


def _pilot_note(days: int | None, ongoing: bool) -> str:
    """A finished pilot is judged against 60-90 days; a running one says where it stands
    (and only warns once it has run too long)."""
    if days is None:
        return ""
    if not ongoing:
        return domain.pilot_length_note(days) or ""
    low, high = domain.PILOT_DAYS
    if days > high:
        return domain.pilot_length_note(days) or ""
    return f"Day {days} of a {low}-{high} day pilot."


def _band_links(stage: EngagementStage, slas: list[Sla], today: date) -> list[BandLink]:
    """The pilot's weeks on each SLA's band design page: good bands come from the pilot's
    actual distribution."""
    first = Period.containing(PeriodType.WEEK, stage.started_on).start
    if stage.ended_on is not None:
        last = Period.containing(PeriodType.WEEK, stage.ended_on - timedelta(days=1)).start
    else:
        last = Period.containing(PeriodType.WEEK, today).previous().start
    last = max(first, last)
    query: dict[str, str] = {"first_week": first.isoformat(), "last_week": last.isoformat()}
    if len(stage.channels) == 1:
        query["channel"] = stage.channels[0]
    return [
        BandLink(
            f"{sla.name} ({sla.contract.name})",
            f"{reverse('sla:band-design', args=[sla.pk])}?{urlencode(query)}",
        )
        for sla in slas
    ]


def stage_rows(stage_list: list[EngagementStage], slas: list[Sla], today: date) -> list[StageRow]:
    rows = []
    for stage in stage_list:
        end = stage.ended_on or today
        days = (end - stage.started_on).days if stage.started_on <= today else None
        ongoing = stage.ended_on is None
        row = StageRow(
            stage,
            days,
            ongoing,
            channels=[CHANNEL_LABELS.get(c, c) for c in stage.channels],
            types=[t.name for t in stage.interaction_types.all()],
            shifts=[
                domain.SHIFT_LABELS.get(domain.Shift(s), s)
                if s in domain.Shift._value2member_map_
                else s
                for s in stage.shifts
            ],
        )
        if stage.kind == StageKind.PILOT:
            row.pilot_note = _pilot_note(days, ongoing)
            row.band_links = _band_links(stage, slas, today)
        rows.append(row)
    return rows
