"""The plain-words headline on hand-made appraisals: an interval including zero is "no
measurable difference"; direction words follow whether lower or higher is better; cost says
"saves" or "costs ... more"; an option's changes are put in words from its scenario."""

from __future__ import annotations

import numpy as np

from sufficiency_sim import scenario
from sufficiency_sim.appraisal import statistics as ap
from sufficiency_sim.report import changes
from sufficiency_sim.report import headline as hl
from tests.verification.test_appraisal import frame

BASE, OPTION = "Baseline", "Option"


def appraisal_of(diffs: dict[str, np.ndarray], base_level: float = 50.0) -> ap.Appraisal:
    """Baseline level `base_level` everywhere (with some noise per replication), the option
    shifted by `diffs` (replications x years) per measure."""
    rng = np.random.default_rng(1)
    diffs = {"cost_gbp": np.zeros((4, 3)), **diffs}
    base = {m: base_level + rng.normal(0, 3, d.shape) for m, d in diffs.items()}
    option = {m: base[m] + d for m, d in diffs.items()}
    return ap.appraise(frame({BASE: base, OPTION: option}), BASE)


def test_interval_including_zero_is_no_measurable_difference() -> None:
    # out of area: differences -1, +1, -1, +1 per replication: mean 0, interval includes zero
    noisy = np.array([[-1.0] * 3, [1.0] * 3, [-1.0] * 3, [1.0] * 3])
    got = hl.headlines(appraisal_of({"pct_out_of_area": noisy}))[0]
    assert not got.effects[0].measurable
    text = got.text()
    assert "no measurable difference" in text
    assert "which is better" not in text and "which is worse" not in text


def test_lower_is_better_measures_get_better_when_they_fall() -> None:
    down = np.full((4, 3), -2.0) + np.array([0.0, 0.1, -0.1, 0.05])[:, None]
    got = hl.headlines(appraisal_of({"pct_out_of_area": down, "placement_moves": down}))[0]
    text = got.text()
    assert "the share of children placed out of area falls by 2.0 percentage points" in text
    assert "placement moves fall by 6 over the three years" in text  # a total of 3 years
    assert text.count("which is better") == 2 and "worse" not in text
    assert "[−" in text  # the interval is printed, with true minus signs


def test_a_rise_in_a_lower_is_better_measure_is_worse() -> None:
    up = np.full((4, 3), 1.0) + np.array([0.0, 0.1, -0.1, 0.05])[:, None]
    text = hl.headlines(appraisal_of({"unplanned_endings": up}))[0].text()
    assert "unplanned placement endings rise by 3" in text and "which is worse" in text


def test_higher_is_better_direction() -> None:
    spec = hl.HeadlineMeasure(
        "pct_long_term_stable",
        "long-term stability",
        "stability",
        False,
        "percentage points",
        1,
        lower_is_better=False,
    )
    rise = hl.Effect(spec, 2.0, 1.0, 3.0)
    fall = hl.Effect(spec, -2.0, -3.0, -1.0)
    assert rise.better and not fall.better
    assert hl.effect_clause(rise, 10).endswith("which is better")
    assert "falls by 2.0 percentage points" in hl.effect_clause(fall, 10)
    assert hl.effect_clause(fall, 10).endswith("which is worse")


def test_cost_saving_and_extra_cost_in_words() -> None:
    saving = np.full((4, 3), -1e6) + np.array([0.0, 1e4, -1e4, 5e3])[:, None]
    text = hl.headlines(appraisal_of({"cost_gbp": saving}, 1e7))[0].text()
    assert "it saves £3.00m over the three years (−3.00 [" in text
    extra = -saving
    text = hl.headlines(appraisal_of({"cost_gbp": extra}, 1e7))[0].text()
    assert "it costs £3.00m more over the three years" in text


def test_nothing_measurable_says_so_once() -> None:
    zero = np.zeros((4, 3))
    text = hl.headlines(appraisal_of({"pct_out_of_area": zero, "cost_gbp": zero}))[0].text()
    assert text == (
        f"{OPTION}: no measurable difference from the baseline in out-of-area placements "
        "(+0.0 [+0.0, +0.0] points) and cost (+0.00 [+0.00, +0.00] £m)."
    )


def test_markdown_has_no_emphasis_markers() -> None:
    name = "Option *star*"
    rng = np.random.default_rng(2)
    base = {"pct_out_of_area": 40 + rng.normal(0, 1, (4, 3)), "cost_gbp": np.ones((4, 3))}
    option = {**base, "pct_out_of_area": base["pct_out_of_area"] - 1}
    results = frame({BASE: base, name: option})
    text = hl.headline_markdown(ap.appraise(results, BASE))
    assert "Option \\*star\\*" in text


def test_york_options_changes_in_words() -> None:
    root = scenario.load("scenarios/york_baseline.yaml")
    base = scenario.to_jsonable(root)

    def words(name: str) -> list[str]:
        option = scenario.to_jsonable(scenario.load(f"scenarios/options/{name}.yaml"))
        return changes.describe_changes(base, option)

    assert words("a_two_local_homes") == [
        "adds Therapeutic home 1 (3 beds, opening 1 October 2020)",
        "adds Therapeutic home 2 (3 beds, opening 4 January 2021)",
    ]
    assert words("d_emergency_carers")[0] == "dedicated emergency foster carers: 3 to 9"
    assert words("b_recruitment_campaign")[0] == (
        "recruitment campaign of 55 extra enquiries a year from 1 April 2020 to 1 April 2023"
    )
    assert "foster carers leave at 0.7 times the usual rate" in words("c_better_retention")[0]
    changed = {**base, "warmup_years": 3}
    assert changes.describe_changes(base, changed) == ["warmup_years set to 3"]
    assert changes.describe_changes(base, base) == []


def test_interval_format_has_no_negative_zero() -> None:
    assert hl.interval_text(-0.04, -0.8, 0.7, 1) == "+0.0 [−0.8, +0.7]"
    assert hl.interval_text(-1.25, -2.0, -0.4, 1) == "−1.2 [−2.0, −0.4]"


def test_headline_directions_agree_with_the_charts() -> None:
    for spec in hl.HEADLINE_MEASURES:
        expected = "lower" if spec.lower_is_better else "higher"
        assert ap.better_direction(spec.measure) == expected, spec.measure
