"""Leading indicators warn when they worsen while CSAT and FCR still look fine."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from home.domain import Indicators, Move, early_warnings, lagging_hold


def d(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def indicators(qa=("0.90", "0.90"), alignment=("0.90", "0.90"), attrition=("0.30", "0.30"),
               csat=("0.85", "0.85"), fcr=("0.75", "0.75")) -> Indicators:  # fmt: skip
    return Indicators(*(Move(d(b), d(n)) for b, n in (qa, alignment, attrition, csat, fcr)))


def test_a_qa_drop_while_csat_and_fcr_hold_is_flagged() -> None:
    assert early_warnings(indicators(qa=("0.884", "0.850"))) == [
        "QA score fell 3.4 points (88.4 % → 85.0 %) while CSAT and FCR held: quality "
        "usually follows."
    ]


def test_thresholds_are_inclusive_and_small_moves_pass() -> None:
    assert len(early_warnings(indicators(qa=("0.90", "0.88")))) == 1  # exactly 2 points
    assert early_warnings(indicators(qa=("0.90", "0.881"))) == []
    assert len(early_warnings(indicators(alignment=("0.90", "0.85")))) == 1
    assert len(early_warnings(indicators(attrition=("0.30", "0.35")))) == 1
    assert early_warnings(indicators(attrition=("0.30", "0.25"))) == []  # falling is good


def test_no_warning_once_the_lagging_indicators_have_fallen_too() -> None:
    """Then it is no longer early: the scorecard and the bands already show it."""
    assert early_warnings(indicators(qa=("0.90", "0.80"), csat=("0.85", "0.83"))) == []
    assert not lagging_hold(indicators(fcr=("0.75", "0.74")))


def test_an_unmeasured_quarter_warns_of_nothing() -> None:
    assert early_warnings(indicators(qa=(None, "0.70"), alignment=("0.9", None))) == []


fractions = st.decimals(min_value=0, max_value=1, places=3)


@given(fractions, fractions, fractions, fractions)
def test_warnings_only_ever_name_an_indicator_that_worsened(qa_b, qa_n, csat_b, csat_n) -> None:
    found = early_warnings(indicators(qa=(str(qa_b), str(qa_n)), csat=(str(csat_b), str(csat_n))))
    if found:
        assert qa_n - qa_b <= Decimal("-0.02")
        assert csat_n - csat_b > Decimal("-0.01")


def test_the_health_check_scores_what_keel_knows_and_leaves_the_rest_to_the_manager() -> None:
    from home.domain import HealthInputs, Manual, health_check

    layers = {
        layer.key: layer
        for layer in health_check(
            HealthInputs(
                scope_discipline=Decimal("0.891"), unbanded=("FCR chat",), pilot_days=75,
                pilot_tight=True, cadence_adherence=Decimal("0.5"), governance_fte=Decimal("1.5"),
                previous_items=(2, 2), manual={"per_agent": Manual(True, "Reviewed 12 agents"),
                                               "scope": Manual(True, "ignored: Keel knows")},
            )
        )
    }  # fmt: skip
    assert [k for k in layers] == ["scope", "sla_design", "pilot", "calibration", "program",
                                   "per_agent", "review"]  # fmt: skip
    assert (layers["scope"].healthy, layers["scope"].by) == (False, "Keel")
    assert layers["scope"].evidence == "scope discipline 89.1 % (95 % or more)"
    assert layers["sla_design"].evidence == "not banded: FCR chat"
    assert layers["pilot"].healthy is True
    assert layers["calibration"].healthy is False
    assert layers["program"].evidence == "1.5 FTE govern the partner"
    assert (layers["per_agent"].healthy, layers["per_agent"].by) == (True, "program manager")
    assert layers["review"].evidence == "2 of 2 of the previous QBR's actions closed"


def test_a_layer_without_data_is_not_scored() -> None:
    from home.domain import HealthInputs, health_check

    layers = health_check(HealthInputs())
    assert all(layer.healthy is None for layer in layers)
    assert layers[2].evidence == "no pilot recorded in the engagement's stages"


def test_per_agent_visibility_is_scored_from_the_scorecards_the_buyer_opened() -> None:
    """A tenth of the active agents' scorecards opened in 30 days is a monthly review; none
    opened in Keel leaves the layer to the program manager (the review may happen elsewhere)."""
    from home.domain import HealthInputs, Manual, health_check

    def per_agent(opened: int, active: int, manual: dict | None = None):
        inputs = HealthInputs(per_agent=(opened, active), manual=manual)
        return next(layer for layer in health_check(inputs) if layer.key == "per_agent")

    healthy = per_agent(10, 100)
    assert (healthy.healthy, healthy.by) == (True, "Keel")
    assert healthy.evidence == (
        "the buyer's people opened 10 of 100 active agents' scorecards in the last 30 days "
        "(10.0 %; a tenth or more)"
    )
    assert per_agent(9, 100).healthy is False
    assert per_agent(0, 100).healthy is None
    manual = per_agent(0, 100, {"per_agent": Manual(True, "Reviewed in the helpdesk")})
    assert (manual.healthy, manual.by) == (True, "program manager")
    assert per_agent(3, 0).healthy is None
