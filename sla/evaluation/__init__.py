"""Nightly SLA evaluation: from KPI snapshots to band statuses, settlements, remediation plans
and exit criteria. The rules are `sla.domain`'s; this package reads their inputs from the
database and writes their results.

One partner and month is evaluated in one transaction, and only differences are written:
running it twice changes nothing, and a crash leaves the previous result as it was.

Months are the account's: `today` is the date in the account's time zone (callers pass
`clock.today(account)`), snapshots are cut at its midnights, and calibration sessions count
in the month they were revealed in there (docs/sla.md).

One module per step: `inputs` (what a month is evaluated from), `statuses`, `settlements`,
`plans`, `months` (a contract's month in one transaction, and which months to evaluate),
`exits` (exit criteria); `diff` decides what changed. This package re-exports what the rest
of Keel calls.
"""

from sla.evaluation.exits import exit_criteria_check, exit_criterion_check
from sla.evaluation.inputs import (
    CHANNEL_LABELS,
    Evaluated,
    calibration_alignment,
    kpi_value,
    moment,
    month_of,
)
from sla.evaluation.months import (
    Outcome,
    contracts_for,
    evaluate_contract_month,
    open_months,
    partner_months_evaluate,
    partner_open_months,
    partners_with_contracts,
)
from sla.evaluation.settlements import outstanding_adjustment

__all__ = [
    "CHANNEL_LABELS",
    "Evaluated",
    "Outcome",
    "calibration_alignment",
    "contracts_for",
    "evaluate_contract_month",
    "exit_criteria_check",
    "exit_criterion_check",
    "kpi_value",
    "moment",
    "month_of",
    "open_months",
    "outstanding_adjustment",
    "partner_months_evaluate",
    "partner_open_months",
    "partners_with_contracts",
]
