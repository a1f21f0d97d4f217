"""Cost per resolved contact: a partner's loaded monthly cost per channel, the buyer's
governance cost on top, against the in-house figure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from core.scoping import Viewer, scope
from engagements import domain
from engagements.models import ScopeVersion
from engagements.selectors.common import channel_key, months_back
from engagements.selectors.scope import current_scopes
from kpis.models import KpiSnapshot
from kpis.periods import PeriodType
from partners.models import Partner
from sla.currency import minor_digits
from sla.domain import format_money
from sla.models import Settlement


@dataclass(frozen=True)
class CostCell:
    channel: str
    month: date
    cost: domain.MonthCost


@dataclass(frozen=True)
class CostView:
    currency: str | None
    minor: int
    months: list[date]
    cells: dict[tuple[str, date], domain.MonthCost]
    totals: dict[date, domain.MonthCost]
    in_house: dict[str, Decimal | None]  # channel → in-house cost per resolved contact
    governance_monthly: Decimal
    channels: list[str] = field(default_factory=list)

    def money(self, amount: Decimal | None) -> str:
        if amount is None or self.currency is None:
            return "—"
        return format_money(amount, self.currency, self.minor)

    @property
    def latest(self) -> domain.MonthCost | None:
        for month in reversed(self.months):
            if month in self.totals:
                return self.totals[month]
        return None

    @property
    def in_house_overall(self) -> Decimal | None:
        """The in-house cost per resolved contact for the partner's channel mix: each
        channel's in-house figure weighted by the partner's resolved contacts there in the
        latest month (a plain mean when there is no such month)."""
        known = {ch: v for ch, v in self.in_house.items() if v is not None}
        if not known:
            return None
        month = next((m for m in reversed(self.months) if m in self.totals), None)
        weights = {
            ch: self.cells[(ch, month)].resolved
            for ch in known
            if month is not None and (ch, month) in self.cells
        }
        if sum(weights.values()) > 0:
            total = sum((known[ch] * n for ch, n in weights.items()), Decimal(0))
            mean = total / sum(weights.values())
        else:
            mean = sum(known.values(), Decimal(0)) / len(known)
        return mean.quantize(Decimal("0.01"))


def costs(viewer: Viewer, partner: Partner, today: date, months: int = 6) -> CostView:
    """Loaded monthly cost per channel over the last `months` months (`costs_by_partner`)."""
    return costs_by_partner(viewer, [partner], months_back(today, months))[partner.pk]


def costs_by_partner(
    viewer: Viewer, partners: Sequence[Partner], months: list[date]
) -> dict[int, CostView]:
    """Each partner's loaded monthly cost per channel in `months`: the settlement's headline
    charges, the contract's loaded-cost components on top, and the buyer's governance cost
    split by contacts; divided by resolved contacts (first-contact resolutions). Four
    queries, whatever the number of partners."""
    ids = [p.pk for p in partners]
    settlements: dict[int, list[Settlement]] = defaultdict(list)
    for s in (
        scope(Settlement, viewer)
        .filter(partner__in=ids, month__in=months)
        .select_related("contract")
        .order_by("month", "pk")
    ):
        settlements[s.partner_id].append(s)
    resolved: dict[int, dict[tuple[str, date], tuple[int, int]]] = defaultdict(dict)
    for partner_id, ch, m, fcr_yes, contacts in (
        scope(KpiSnapshot, viewer)
        .filter(
            partner__in=ids,
            agent__isnull=True,
            period_type=PeriodType.MONTH,
            period_start__in=months,
        )  # fmt: skip
        .values_list("partner_id", "channel", "period_start", "fcr_yes", "contacts")
    ):
        resolved[partner_id][(ch, m)] = (fcr_yes, contacts)
    versions = current_scopes(viewer, ids)
    return {
        p.pk: _cost_view(settlements[p.pk], resolved[p.pk], versions.get(p.pk), months)
        for p in partners
    }


def _cost_view(
    settlements: list[Settlement],
    resolved: dict[tuple[str, date], tuple[int, int]],
    version: ScopeVersion | None,
    firsts: list[date],
) -> CostView:
    currency = settlements[0].currency if settlements else (version.currency if version else None)
    minor = minor_digits(currency) if currency else 2
    governance = version.governance_monthly if version else Decimal(0)
    headline: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    loaded: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    for s in settlements:
        for channel, invoice in s.invoices.items():
            amount = Decimal(invoice["amount"])
            headline[(channel, s.month)] += amount
            loaded[(channel, s.month)] += domain.loaded_cost(amount, s.contract.loaded_pct, minor)
    cells: dict[tuple[str, date], domain.MonthCost] = {}
    totals: dict[date, domain.MonthCost] = {}
    channels: set[str] = set()
    for month in firsts:
        here = {ch for (ch, m) in headline if m == month}
        if not here:
            continue
        shares = domain.split_by(
            governance, {ch: resolved.get((ch, month), (0, 0))[1] for ch in here}, minor
        )
        for ch in here:
            cells[(ch, month)] = domain.MonthCost(
                headline[(ch, month)],
                loaded[(ch, month)],
                shares[ch],
                resolved.get((ch, month), (0, 0))[0],
            )
        channels |= here
        totals[month] = domain.MonthCost(
            sum((cells[(c, month)].headline for c in here), Decimal(0)),
            sum((cells[(c, month)].loaded for c in here), Decimal(0)),
            sum((cells[(c, month)].governance for c in here), Decimal(0)),
            sum(cells[(c, month)].resolved for c in here),
        )
    in_house = {b.channel: b.cost_per_resolved for b in version.baselines.all()} if version else {}
    return CostView(
        currency,
        minor,
        firsts,
        cells,
        totals,
        in_house,
        governance,
        sorted(channels, key=channel_key),
    )
