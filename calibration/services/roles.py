"""Who does what in calibration: the roles that score, the side a scorer sits on, and who
runs a session. The other service modules check their caller here or through
`core.scoping.require_role`."""

from __future__ import annotations

from calibration.models import CalibrationSession, Side
from core.scoping import Viewer, require_role
from partners.models import Role

BUYER_SCORERS = (Role.PROGRAM_MANAGER, Role.QA_REVIEWER)
SCORERS = (*BUYER_SCORERS, Role.PARTNER_QA_LEAD)


def side_of(viewer: Viewer) -> str:
    return Side.PARTNER if viewer.is_partner_side else Side.BUYER


def require_facilitator(viewer: Viewer, session: CalibrationSession) -> None:
    """The buyer's program managers run sessions: plan, draw, reveal, debrief and close.
    (A program manager is always on the buyer's side: memberships are built that way.)"""
    require_role(viewer, (Role.PROGRAM_MANAGER,), what="run calibration sessions")
