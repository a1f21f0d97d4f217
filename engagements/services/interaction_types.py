"""The account's interaction types: added one by one, or the five of the typical mix
(docs/domain.md, "Scope") at once; and looked up by code for an integration."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from core.errors import DomainError
from core.scoping import Role, Viewer, require_role, scope
from engagements import domain
from engagements.services.common import audit, full_clean
from partners.models import InteractionType


def interaction_type_create(
    *, viewer: Viewer, code: str, name: str, brand_sensitive: bool = False, routine: bool = False
) -> InteractionType:
    require_role(viewer, (Role.PROGRAM_MANAGER,), what="add interaction types")
    kind = InteractionType(
        account=viewer.account,
        code=code.strip().lower(),
        name=name.strip(),
        is_brand_sensitive=brand_sensitive,
        is_routine=routine,
    )
    if InteractionType.objects.filter(account=viewer.account, code=kind.code).exists():
        raise DomainError(f"There already is an interaction type '{kind.code}'.", field="code")
    full_clean(kind, exclude=["account"])
    with transaction.atomic():
        kind.save()
        audit(viewer, "interaction_type.created", f"Added interaction type {kind.name}")
    return kind


def standard_types_ensure(*, viewer: Viewer) -> list[InteractionType]:
    """The five interaction types of the typical mix (docs/domain.md, "Scope"), created where
    missing."""
    require_role(viewer, (Role.PROGRAM_MANAGER,), what="add interaction types")
    with transaction.atomic():
        existing = {t.code for t in InteractionType.objects.filter(account=viewer.account)}
        InteractionType.objects.bulk_create(
            InteractionType(
                account=viewer.account,
                code=t.code,
                name=t.name,
                is_brand_sensitive=t.brand_sensitive,
                is_routine=t.routine,
            )
            for t in domain.STANDARD_MIX
            if t.code not in existing
        )
    codes = [t.code for t in domain.STANDARD_MIX]
    return sorted(
        InteractionType.objects.filter(account=viewer.account, code__in=codes),
        key=lambda t: codes.index(t.code),
    )


def scoped_types(viewer: Viewer, codes: Sequence[str]) -> list[InteractionType]:
    """The viewer's account's interaction types with these codes; unknown codes refused."""
    found = {t.code: t for t in scope(InteractionType, viewer).filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise DomainError(f"No interaction type '{missing[0]}' in this account.")
    return [found[c] for c in codes]
