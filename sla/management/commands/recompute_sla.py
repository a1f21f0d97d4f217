"""Evaluate a partner's SLAs for a period: band statuses, the settlement, remediation plans
and exit criteria, exactly as the nightly run does."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import clock
from kpis.periods import Period, PeriodType
from partners.models import Account
from partners.selectors import partner_by_key
from sla.evaluation import exit_criteria_check, partner_months_evaluate


def _months(text: str) -> list[date]:
    """'2026-09' (a month), '2026-Q3' (its three months) or '2026-09-01'."""
    value = text.strip().upper()
    try:
        if "-Q" in value:
            year, quarter = value.split("-Q")
            first = date(int(year), 3 * (int(quarter) - 1) + 1, 1)
            if not 1 <= int(quarter) <= 4:
                raise ValueError
            return [first, Period(PeriodType.MONTH, first).next().start,
                    Period(PeriodType.MONTH, first).next().next().start]  # fmt: skip
        if len(value) == 7:
            return [date.fromisoformat(f"{value}-01")]
        return [Period.containing(PeriodType.MONTH, date.fromisoformat(value)).start]
    except ValueError:
        raise CommandError(
            f"'{text}' is not a period: use a month (2026-09), a quarter (2026-Q3) or a date."
        ) from None


class Command(BaseCommand):
    help = (
        "Recompute a partner's SLA band statuses, settlement and remediation plans for a "
        "month or quarter. Approved settlements stay frozen; a difference is shown as a "
        "pending adjustment."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", required=True, help="Account slug, e.g. northwind-retail.")
        parser.add_argument("--partner", required=True, help="Partner name or id.")
        parser.add_argument(
            "--period", required=True, help="A month (2026-09), a quarter (2026-Q3) or a date."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        account = Account.objects.filter(slug=options["account"]).first()
        if account is None:
            raise CommandError(f"No account with the slug '{options['account']}'.")
        key = options["partner"]
        partner = partner_by_key(account, key)
        if partner is None:
            raise CommandError(f"{account.name} has no partner '{key}'.")
        today = clock.today(account)  # the account's date, as the nightly run uses
        months = _months(options["period"])
        if months[0] > today:
            raise CommandError(f"{months[0]:%B %Y} has not started yet.")
        outcomes = partner_months_evaluate(partner_id=partner.pk, months=months, today=today)
        met = exit_criteria_check(partner_id=partner.pk, today=today)
        if not outcomes:
            raise CommandError(f"{partner} has no contract covering {options['period']}.")
        written = sum(o.statuses_written for o in outcomes)
        settled = sum(o.settlement_written or o.adjustment_changed for o in outcomes)
        opened = sum(o.plans_opened for o in outcomes)
        closed = sum(o.plans_closed for o in outcomes)
        self.stdout.write(
            f"{partner}, {options['period']}: {len(outcomes)} contract-month(s) evaluated; "
            f"{written} band status(es) and {settled} settlement(s) changed; {opened} plan(s) "
            f"opened, {closed} closed; {met} exit criterion/criteria newly met."
        )
