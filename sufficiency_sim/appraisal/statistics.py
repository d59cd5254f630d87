"""Options appraisal: paired differences from a baseline, costs, NPV, payback and precision.

The public names of the appraisal in one place; the work is done by job in `paired` (levels and
paired differences), `value` (NPV, payback, cost per outcome avoided), `appraise` (the whole
appraisal and `appraisal.csv`) and `precision` (how many replications). The committee-paper
markdown is `sufficiency_sim.report.markdown`.

Pure pandas/NumPy/SciPy on a tidy results frame (columns `scenario`, `replication`, `year`,
then one column per measure); nothing here knows about the model.

Every scenario is run on the same replication numbers with the same seed (common random
numbers), so an option and the baseline see the same children with the same luck and the
difference is estimated from the per-replication differences (a paired t interval). The
unpaired (Welch) interval, which ignores the pairing, is given beside it for comparison.

Conventions
-----------
- A *year* is a financial (collection) year labelled by the year in which it ends on 31 March.
- *Whole horizon*: flows (starts, endings, moves, cost, out-of-area child-years) are summed
  over the reported years; stocks on 31 March, percentages and mean lengths are averaged over
  the years (a sum of 31 March counts means nothing). The `horizon_rule` column says which.
- Differences are option minus baseline: a negative cost difference is a saving.
- Net present value (NPV) of the cost difference discounts financial year t (t = 0 for the first
  reported year) by (1 + r)^-t, r = 3.5% a year by default (HM Treasury Green Book). One-off
  and recurring option costs are already inside `cost_gbp` in the year they fall.
- Payback is *discounted*: the first financial year from which the cumulative discounted saving
  against the baseline (baseline cost minus option cost) is non-negative and stays so to the end
  of the horizon. An option that never costs more, cumulatively, has "no net extra cost"; one
  whose cumulative saving is still negative in the final year has "not within horizon".
"""

from __future__ import annotations

from sufficiency_sim.appraisal.appraise import Appraisal, appraisal_table, appraise
from sufficiency_sim.appraisal.paired import (
    FLOW_MEASURES,
    HIGHER_IS_BETTER,
    HORIZON,
    KEYS,
    LOWER_IS_BETTER,
    YEAR,
    better_direction,
    horizon_rule,
    horizon_values,
    level_summary,
    measure_columns,
    paired_differences,
    scenario_order,
    welch_half_width,
    year_label,
)
from sufficiency_sim.appraisal.precision import (
    DEFAULT_TARGETS,
    AutoResult,
    PrecisionCheck,
    PrecisionTarget,
    precision_check,
    run_until_precise,
)
from sufficiency_sim.appraisal.value import (
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    GREEN_BOOK_RATE,
    NO_EXTRA_COST,
    NOT_WITHIN_HORIZON,
    cost_appraisal,
    discount_factors,
    npv,
    payback,
    ratio_interval,
)

__all__ = [
    "BOOTSTRAP_RESAMPLES",
    "BOOTSTRAP_SEED",
    "DEFAULT_TARGETS",
    "FLOW_MEASURES",
    "GREEN_BOOK_RATE",
    "HIGHER_IS_BETTER",
    "HORIZON",
    "KEYS",
    "LOWER_IS_BETTER",
    "NOT_WITHIN_HORIZON",
    "NO_EXTRA_COST",
    "YEAR",
    "Appraisal",
    "AutoResult",
    "PrecisionCheck",
    "PrecisionTarget",
    "appraisal_table",
    "appraise",
    "better_direction",
    "cost_appraisal",
    "discount_factors",
    "horizon_rule",
    "horizon_values",
    "level_summary",
    "measure_columns",
    "npv",
    "paired_differences",
    "payback",
    "precision_check",
    "ratio_interval",
    "run_until_precise",
    "scenario_order",
    "welch_half_width",
    "year_label",
]
