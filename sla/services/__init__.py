"""Writing contracts, SLAs, bands, volumes and exit criteria; recomputing and approving
settlements; updating remediation plans. Every page, API view and command goes through these
functions, which check the viewer's role (`require_role`) and scope (`ensure_in_scope`) and
the rules, and raise `DomainError` with a message naming the problem. Nothing is
half-written: each function runs in one transaction.

One module per subdomain (`contracts`, `slas`, `settlements`, `plans`, and `refresh`: drafts
follow their inputs); this package re-exports their public names.
"""

from sla.services.contracts import (
    MAX_VOLUME_ROWS,
    RateInput,
    VolumeRow,
    contract_save,
    exit_criterion_save,
    priced_lines,
    volume_save,
    volumes_save,
)
from sla.services.plans import (
    UNCHANGED,
    member_user,
    plan_update,
)
from sla.services.refresh import (
    contract_open_months,
    settlements_refresh,
)
from sla.services.settlements import (
    Recomputed,
    settlement_approve,
    settlement_recompute,
)
from sla.services.slas import (
    GovernedResult,
    band_problems,
    governed_kpi_delete,
    governed_kpi_from_template,
    governed_kpi_save,
    sla_save,
)

__all__ = [
    "band_problems",
    "contract_open_months",
    "contract_save",
    "exit_criterion_save",
    "governed_kpi_delete",
    "governed_kpi_from_template",
    "governed_kpi_save",
    "GovernedResult",
    "MAX_VOLUME_ROWS",
    "member_user",
    "plan_update",
    "RateInput",
    "priced_lines",
    "Recomputed",
    "settlement_approve",
    "settlement_recompute",
    "settlements_refresh",
    "sla_save",
    "UNCHANGED",
    "volume_save",
    "VolumeRow",
    "volumes_save",
]
