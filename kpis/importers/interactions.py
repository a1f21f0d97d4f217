"""Writing an interactions batch: one upsert per contact on (partner, external id), so a
contact sent again is updated in place."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef

from core import clock
from kpis.importers.staging import INTERACTION_COLUMNS
from kpis.importers.state import ImportRun
from kpis.models import Interaction


class InteractionWriter(ImportRun):
    """Upserts the staged contacts."""

    def write_interactions(self) -> None:
        self._count_existing(
            Exists(
                Interaction.objects.filter(
                    partner_id=OuterRef("partner_id"), external_id=OuterRef("ref")
                )
            )
        )
        agents = self._agent_ids()
        update_fields = [
            "agent",
            "channel",
            "interaction_type",
            "opened_at",
            *INTERACTION_COLUMNS,
            "batch",
            "updated_at",
        ]
        now = clock.now()
        for chunk in self._staged_chunks():
            Interaction.objects.bulk_create(
                [
                    Interaction(
                        partner_id=s.partner_id,
                        agent_id=agents[(s.partner_id, s.agent_key)],
                        batch=self.batch,
                        created_at=now,
                        updated_at=now,
                        opened_at=datetime.fromisoformat(s.payload["opened_at"]),
                        channel=s.payload["channel"],
                        interaction_type_id=s.payload["interaction_type_id"],
                        external_id=s.payload["external_id"],
                        **{name: s.payload[name] for name in INTERACTION_COLUMNS},
                    )
                    for s in chunk
                ],
                update_conflicts=True,
                unique_fields=["partner", "external_id"],
                update_fields=update_fields,
            )
