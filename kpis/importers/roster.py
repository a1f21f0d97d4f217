"""Writing a roster batch: new teams first (with the channel their first row gives), then
one upsert per agent on (partner, external id): hires, team moves and leaving dates."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef

from core import clock
from kpis.importers.state import ImportRun
from partners.models import Agent, Team


class RosterWriter(ImportRun):
    """Adds new teams, then upserts the staged agents."""

    def write_roster(self) -> None:
        self._count_existing(
            Exists(
                Agent.objects.filter(partner_id=OuterRef("partner_id"), external_id=OuterRef("ref"))
            )
        )
        # New teams first, with the channel their first row gives.
        teams: dict[tuple[int, str], Team] = {
            (t.partner_id, t.name.lower()): t
            for t in Team.objects.filter(partner_id__in=list(self.partners))
        }
        wanted: dict[tuple[int, str], tuple[str, str]] = {}
        new_teams = (
            self.staged.exclude(team="").order_by("row").only("partner_id", "team", "channel")
        )
        for s in new_teams.iterator():
            key = (s.partner_id, s.team.lower())
            if key not in teams and key not in wanted:
                wanted[key] = (s.team, s.channel)
        Team.objects.bulk_create(
            Team(partner_id=partner_id, name=name, channel=channel)
            for (partner_id, _), (name, channel) in wanted.items()
        )
        teams = {
            (t.partner_id, t.name.lower()): t
            for t in Team.objects.filter(partner_id__in=list(self.partners))
        }
        update_fields = ["name", "hire_date", "leaving_date", "updated_at"]
        if "team" not in self.reader.missing_optional:
            update_fields.append("team")
        now = clock.now()
        for chunk in self._staged_chunks():
            Agent.objects.bulk_create(
                [
                    Agent(
                        partner_id=s.partner_id,
                        external_id=s.ref,
                        name=s.payload["name"],
                        team=teams.get((s.partner_id, s.team.lower())),
                        hire_date=date.fromisoformat(s.payload["hire_date"]),
                        leaving_date=date.fromisoformat(s.payload["leaving_date"])
                        if s.payload["leaving_date"]
                        else None,
                        created_at=now,
                        updated_at=now,
                    )
                    for s in chunk
                ],
                update_conflicts=True,
                unique_fields=["partner", "external_id"],
                update_fields=update_fields,
            )
