"""The migration that moves the minimum sample from each band to its governed KPI."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader


def _migration_name() -> str:
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    (name,) = [n for app, n in graph.nodes if app == "sla" and n.endswith("_governed_min_sample")]
    return name


def test_a_kpis_minimum_sample_is_the_largest_of_its_bands():
    module = importlib.import_module(f"sla.migrations.{_migration_name()}")
    assert module.merged_min_sample([30, 100, 50]) == 100
    assert module.merged_min_sample([30]) == 30
    assert module.merged_min_sample([]) == 30  # a KPI without bands: Keel's default


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_each_bands_minimum_sample_to_its_kpi_and_back():
    target = ("sla", _migration_name())
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    (before,) = [p.key for p in graph.node_map[target].parents if p.key[0] == "sla"]
    # The other apps as they are: only the SLA app steps back.
    others = [node for node in graph.leaf_nodes() if node[0] != "sla"]
    try:
        executor.migrate([before])
        old = executor.loader.project_state([before, *others]).apps
        account = old.get_model("partners", "Account").objects.create(name="Acme", slug="acme")
        partner = old.get_model("partners", "Partner").objects.create(
            account=account, name="Harbor", delivery_model="nearshore"
        )
        contract = old.get_model("sla", "Contract").objects.create(
            partner=partner, name="MSA", start_date=date(2026, 1, 1), end_date=date(2026, 12, 31),
            currency="USD",
        )  # fmt: skip
        sla = old.get_model("sla", "Sla").objects.create(contract=contract, name="Quality")
        governed_model = old.get_model("sla", "GovernedKpi")
        band_model = old.get_model("sla", "Band")
        csat = governed_model.objects.create(sla=sla, channel="chat", kpi="csat")
        aht = governed_model.objects.create(sla=sla, channel="voice", kpi="aht")
        governed_model.objects.create(sla=sla, channel="email", kpi="fcr")  # no bands
        # CSAT decided its penalty from 100 answers and its bonus from 50: 100 for all now.
        for position, (kind, lower, upper, min_sample) in enumerate(
            [("penalty", None, 75, 100), ("base", 75, 88, 30), ("bonus", 88, None, 50)]
        ):
            band_model.objects.create(
                governed=csat, position=position, kind=kind, lower=lower, upper=upper,
                min_sample=min_sample,
            )  # fmt: skip
        band_model.objects.create(governed=aht, position=0, kind="base", min_sample=12)

        executor = MigrationExecutor(connection)
        executor.migrate([target])
        new = executor.loader.project_state([target, *others]).apps
        by_kpi = dict(new.get_model("sla", "GovernedKpi").objects.values_list("kpi", "min_sample"))
        assert by_kpi == {"csat": 100, "aht": 12, "fcr": 30}
        assert new.get_model("sla", "Band").objects.filter(governed_id=csat.pk).count() == 3

        # Back: every band takes its KPI's minimum sample.
        executor = MigrationExecutor(connection)
        executor.migrate([before])
        old = executor.loader.project_state([before, *others]).apps
        bands = old.get_model("sla", "Band").objects.order_by("governed_id", "position")
        assert list(bands.values_list("governed_id", "min_sample")) == [
            (csat.pk, 100), (csat.pk, 100), (csat.pk, 100), (aht.pk, 12),
        ]  # fmt: skip
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
