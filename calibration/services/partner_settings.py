"""A partner's calibration settings: its cadence, the rubric its sessions use, how many
interactions a session draws and how long the partner may dispute a buyer's evaluation."""

from __future__ import annotations

from calibration.models import PartnerCalibration, Rubric
from core.errors import DomainError
from core.scoping import Viewer, ensure_in_scope, require_role
from partners.models import Partner, Role


def partner_settings(partner: Partner) -> PartnerCalibration:
    """The partner's settings, or the defaults (unsaved) while none were set."""
    found = PartnerCalibration.objects.filter(partner=partner).first()
    return found or PartnerCalibration(partner=partner)


def partner_settings_save(
    *, viewer: Viewer, partner: Partner, cadence: str, rubric: Rubric | None,
    sample_size: int, dispute_window_days: int,
) -> PartnerCalibration:  # fmt: skip
    require_role(viewer, (Role.PROGRAM_MANAGER,), what="set a partner's calibration")
    ensure_in_scope(partner, viewer)
    ensure_in_scope(rubric, viewer, field="rubric")
    current = partner_settings(partner)
    current.cadence, current.rubric = cadence, rubric
    current.sample_size, current.dispute_window_days = sample_size, dispute_window_days
    try:
        current.full_clean()
    except Exception as exc:  # noqa: BLE001 - ValidationError, shown as one message
        raise DomainError(" ".join(getattr(exc, "messages", [str(exc)]))) from None
    current.save()
    return current
