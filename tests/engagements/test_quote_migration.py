"""The migration that gave candidates rate cards: each candidate's single quote (one model,
one headline rate) becomes one line per channel of the scope it was quoted for."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

D = Decimal
BEFORE = [("engagements", "0001_initial")]
AFTER = [("engagements", "0002_candidate_rate_cards")]


@pytest.mark.django_db(transaction=True)
def test_existing_candidates_become_one_line_per_channel_of_their_scope():
    """A candidate quoted for a scope gets a line per channel its latest version forecasts
    contacts on (a channel at zero is not needed); one whose selection has no scope falls
    back on its partner's, and one with neither prices every channel, as its one rate did.
    Backwards, each candidate takes its first line's price again."""
    executor = MigrationExecutor(connection)
    # The other apps stay as they are: only engagements steps back.
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "engagements"]
    executor.migrate(BEFORE)
    old = executor.loader.project_state([*BEFORE, *others]).apps
    account = old.get_model("partners", "Account").objects.create(name="A", slug="a")
    kind = old.get_model("partners", "InteractionType").objects.create(
        account=account, code="billing", name="Billing"
    )
    partner = old.get_model("partners", "Partner").objects.create(
        account=account, name="Chosen", delivery_model="onshore"
    )
    selection_model = old.get_model("engagements", "Selection")
    scope_model = old.get_model("engagements", "ScopeVersion")
    line_model = old.get_model("engagements", "ScopeLine")
    candidate_model = old.get_model("engagements", "Candidate")

    def scope(number: int, lines: dict[str, int], **owner: object) -> None:
        version = scope_model.objects.create(
            account=account, version=number, monthly_volume=sum(lines.values()) or 1,
            first_month=date(2027, 1, 1), **owner,
        )  # fmt: skip
        for channel, contacts in lines.items():
            line_model.objects.create(
                scope=version, channel=channel, interaction_type=kind, contacts=contacts
            )

    scoped = selection_model.objects.create(account=account, name="Scoped")
    scope(1, {"chat": 300}, selection=scoped)
    scope(2, {"voice": 100, "chat": 200, "email": 0}, selection=scoped)
    unscoped = selection_model.objects.create(account=account, name="Unscoped")
    chosen_elsewhere = selection_model.objects.create(account=account, name="Partner's")
    scope(1, {"social": 50}, partner=partner)
    candidate_model.objects.create(
        selection=scoped, name="Hourly", delivery_model="offshore", pricing_model="per_hour",
        headline_rate=D("14.00"),
    )  # fmt: skip
    candidate_model.objects.create(
        selection=unscoped, name="Flat", delivery_model="offshore", pricing_model="per_fte",
        headline_rate=D(2400),
    )  # fmt: skip
    candidate_model.objects.create(
        selection=chosen_elsewhere, name="Chosen", delivery_model="onshore",
        pricing_model="per_contact", headline_rate=D("3.10"), partner=partner,
    )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state([*AFTER, *others]).apps
    lines = new.get_model("engagements", "CandidateRate").objects.order_by("candidate__name", "pk")
    assert [
        (r.candidate.name, r.channel, r.interaction_type_id, r.pricing_model, r.rate,
         r.hybrid_base, r.resolution_bonus)
        for r in lines
    ] == [
        ("Chosen", "social", None, "per_contact", D("3.10"), "", D(0)),
        ("Flat", "voice", None, "per_fte", D(2400), "", D(0)),
        ("Flat", "email", None, "per_fte", D(2400), "", D(0)),
        ("Flat", "chat", None, "per_fte", D(2400), "", D(0)),
        ("Flat", "social", None, "per_fte", D(2400), "", D(0)),
        ("Hourly", "voice", None, "per_hour", D("14.00"), "", D(0)),
        ("Hourly", "chat", None, "per_hour", D("14.00"), "", D(0)),
    ]  # fmt: skip
    fields = {f.name for f in new.get_model("engagements", "Candidate")._meta.get_fields()}
    assert not fields & {"pricing_model", "headline_rate"}

    # Backwards: one price per candidate again, its first line's.
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    back = executor.loader.project_state([*BEFORE, *others]).apps
    assert sorted(
        back.get_model("engagements", "Candidate").objects.values_list(
            "name", "pricing_model", "headline_rate"
        )
    ) == [
        ("Chosen", "per_contact", D("3.10")),
        ("Flat", "per_fte", D(2400)),
        ("Hourly", "per_hour", D("14.00")),
    ]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
