"""Create the demo programme (see demo.accounts)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import clock
from demo import accounts as account_demo
from demo import calibration as calibration_demo
from demo import engagements as engagement_demo
from demo import kpis as kpi_demo
from demo import sla as sla_demo
from partners.models import Account


class Command(BaseCommand):
    help = "Create the demo programme (Northwind Retail and its partners), deterministically."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="Reference day as YYYY-MM-DD (default: today). Dates are relative to it.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing, successfully, when the database already has an account.",
        )

    def handle(
        self, *args: Any, seed: int, today: date | None, if_empty: bool, **options: Any
    ) -> None:
        if Account.objects.exists():
            if if_empty:
                self.stdout.write("The database already has data; demo programme not seeded.")
                return
            raise CommandError(
                "The database already has accounts; seed_demo only fills an empty database. "
                "Use a fresh database (or --if-empty to skip quietly)."
            )
        day = today or clock.today()
        account = account_demo.build(seed=seed, today=day)
        rows = {"interactions": 0, "aggregate_reports": 0}
        for each in Account.objects.order_by("name"):
            # QA evaluations first: the KPI snapshots count them as the QA score.
            rows["evaluations"] = rows.get("evaluations", 0) + calibration_demo.build_evaluations(
                account=each, seed=seed, today=day
            )
            for kind, n in kpi_demo.build(account=each, seed=seed, today=day).items():
                rows[kind] += n
            rows["sessions"] = rows.get("sessions", 0) + calibration_demo.build_sessions(
                account=each, seed=seed, today=day
            )
            for kind, n in sla_demo.build(account=each, today=day).items():
                rows[kind] = rows.get(kind, 0) + n
            # Last: scopes and gates read the contacts, settlements and calibration above.
            for kind, n in engagement_demo.build(account=each, today=day).items():
                rows[kind] = rows.get(kind, 0) + n
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {account.name} with {account.partners.count()} partners, "
                f"{rows['interactions']:,} contacts of the last {kpi_demo.DETAIL_WEEKS} weeks as "
                f"rows and {rows['aggregate_reports']:,} weekly per-agent aggregate reports "
                f"before them; {rows['evaluations']:,} QA evaluations and "
                f"{rows['sessions']} calibration sessions; {rows['contracts']} contracts with "
                f"{rows['settlements']} monthly settlements and {rows['plans']} remediation "
                f"plans; {rows['scopes']} scope versions, {rows['stages']} engagement stages and "
                f"{rows['selections']} partner selection with {rows['candidates']} candidates. "
                f"Demo users (password {account_demo.DEMO_PASSWORD!r}): "
                + ", ".join(u.email for u in account_demo.USERS)
                + f"; {account_demo.SECOND_ACCOUNT_USERS[0].email}."
            )
        )
