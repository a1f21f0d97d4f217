"""Import a CSV file of KPI data from disk, through the same checks as an upload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import DomainError
from kpis.models import ImportStatus, UnknownAgents
from kpis.rows import PRESETS, Kind
from kpis.services import SAVED, import_file_on_disk
from partners.models import Account
from partners.selectors import partner_by_key


class Command(BaseCommand):
    help = (
        "Import interactions, aggregate reports or a roster from a CSV file. The file is "
        "checked whole; with any problem nothing is written and the problems are listed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file.")
        parser.add_argument("--account", required=True, help="Account slug, e.g. northwind-retail.")
        parser.add_argument(
            "--partner",
            help="Partner name or id; omit when each row names its partner.",
        )
        parser.add_argument(
            "--kind", choices=[k.value for k in Kind], default=Kind.INTERACTIONS.value
        )
        parser.add_argument(
            "--mapping",
            choices=[*PRESETS, SAVED],
            default="keel",
            help="Column names: keel (as documented), zendesk, freshdesk, or the partner's saved.",
        )
        parser.add_argument(
            "--unknown-agents", choices=UnknownAgents.values, default=UnknownAgents.REJECT.value
        )
        parser.add_argument(
            "--timezone",
            default=None,
            help="For times without an offset (default: the account's time zone).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        account = Account.objects.filter(slug=options["account"]).first()
        if account is None:
            raise CommandError(f"No account with the slug '{options['account']}'.")
        partner = None
        if options["partner"]:
            key = options["partner"]
            partner = partner_by_key(account, key)
            if partner is None:
                raise CommandError(f"{account.name} has no partner '{key}'.")
        try:
            with path.open("rb") as stream:
                batch = import_file_on_disk(
                    account=account,
                    partner=partner,
                    kind=options["kind"],
                    stream=stream,
                    file_name=path.name,
                    mapping=options["mapping"],
                    unknown_agents=options["unknown_agents"],
                    timezone_name=options["timezone"],
                )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if batch.status == ImportStatus.SUCCEEDED:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Import #{batch.pk}: {batch.rows_total:,} rows, {batch.rows_created:,} "
                    f"created, {batch.rows_updated:,} updated, {batch.agents_created:,} agents "
                    "added."
                )
            )
            return
        if batch.status == ImportStatus.FAILED:
            raise CommandError(f"Import #{batch.pk} failed and wrote nothing: {batch.error}")
        for problem in batch.problems.all()[:200]:
            where = "file" if problem.row == 0 else f"row {problem.row:,}"
            column = f", column {problem.column}" if problem.column else ""
            self.stderr.write(f"{where}{column}: {problem.message}")
        more = batch.problem_count - min(batch.problem_count, 200)
        raise CommandError(
            f"Import #{batch.pk} rejected: {batch.problem_count:,} problems"
            + (f" ({more:,} more not shown)" if more else "")
            + "; nothing was written."
        )
