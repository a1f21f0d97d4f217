"""The SLA API's serializers, one module per subdomain: contracts (terms, rate card,
volumes, exit criteria), SLAs (governed KPIs, bands, band statuses), settlements and
remediation plans. Money and KPI figures are decimals sent as strings ("4000.0000"), in the
unit bands are written in (percentages as 0-100, durations in seconds).

Writes are checked by `sla.services`, which the views call; these serializers only check the
shape of what comes in (types, choices, references to the caller's own objects).
"""

from __future__ import annotations

from sla.api.serializers.common import (
    kpi_field,
    kpi_label,
    refuse_move,
)
from sla.api.serializers.contracts import (
    ContractSerializer,
    ExitCriterionSerializer,
    RateLineSerializer,
    VolumeBatchSerializer,
    VolumeSerializer,
)
from sla.api.serializers.remediation import (
    RemediationPlanSerializer,
    RemediationPlanUpdateSerializer,
)
from sla.api.serializers.settlements import (
    AdjustmentPartSerializer,
    CarriedInSerializer,
    InvoicePartSerializer,
    InvoiceSerializer,
    SettlementLineSerializer,
    SettlementSerializer,
)
from sla.api.serializers.slas import (
    BandSerializer,
    BandStatusSerializer,
    GovernedKpiInputSerializer,
    GovernedKpiSerializer,
    SlaSerializer,
)

__all__ = [
    "AdjustmentPartSerializer",
    "BandSerializer",
    "BandStatusSerializer",
    "CarriedInSerializer",
    "ContractSerializer",
    "ExitCriterionSerializer",
    "GovernedKpiInputSerializer",
    "GovernedKpiSerializer",
    "InvoicePartSerializer",
    "InvoiceSerializer",
    "RateLineSerializer",
    "RemediationPlanSerializer",
    "RemediationPlanUpdateSerializer",
    "SettlementLineSerializer",
    "SettlementSerializer",
    "SlaSerializer",
    "VolumeBatchSerializer",
    "VolumeSerializer",
    "kpi_field",
    "kpi_label",
    "refuse_move",
]
