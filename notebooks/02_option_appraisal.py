# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 2. Option appraisal: new local homes, foster carer recruitment or better retention?
#
# York's sufficiency strategy weighed three ways of placing more children closer to home:
#
# - **Option A: two local children's homes.** Two three-bed therapeutic homes for 9-17-year-olds
#   with complex or specialist needs, opening in October 2020 and January 2021, on a block
#   contract (every bed paid for, filled or not), with £0.9m of capital.
# - **Option B: a recruitment campaign.** Extra marketing and assessment capacity for three
#   years from April 2020, enough for about 15 more foster households.
# - **Option C: better retention.** Higher allowances and more support for foster carers from
#   April 2020, so that 30% fewer of them stop fostering each year.
#
# Each option is a scenario file in `scenarios/options/` that changes only what differs from
# the York baseline (notebook 1). This notebook runs all four on the same replications and
# compares them as a committee paper would: children placed out of area, stability, children
# waiting in bridging placements, and cost, with net present value and payback.
#
# **Fair comparison.** Every option sees exactly the same children entering care on the same
# days, with the same needs and the same luck, as the baseline (*common random numbers*). The
# difference between an option and the baseline in each replication is then the effect of
# the option alone, and the 95% confidence intervals of the differences are much narrower
# than the spread of the levels. An interval that excludes zero is marked with `*`.
#
# **How much work.** The replication count comes from `SUFFICIENCY_SIM_NOTEBOOK_REPLICATIONS`
# (30 by default; with fewer than 10 the notebook is a quick smoke run whose numbers are not
# for reading), worker processes from `SUFFICIENCY_SIM_NOTEBOOK_JOBS` (1 by default). 30
# replications of the four scenarios take under a minute on one core.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Image, Markdown, display

from sufficiency_sim import scenario
from sufficiency_sim.appraisal.statistics import (
    HORIZON,
    appraise,
    discount_factors,
    year_label,
)
from sufficiency_sim.experiment.runner import run_experiment
from sufficiency_sim.measure.intervals import t_half_width
from sufficiency_sim.report import charts
from sufficiency_sim.report.changes import scenario_changes, value_lines
from sufficiency_sim.report.headline import headline_markdown
from sufficiency_sim.report.markdown import appraisal_markdown
from sufficiency_sim.report.notebook import repo_root, settings

SETTINGS = settings(default_replications=30)
REPLICATIONS, JOBS = SETTINGS.replications, SETTINGS.jobs
SEED = 2019
SCENARIOS = repo_root() / "scenarios"
FILES = [
    SCENARIOS / "york_baseline.yaml",
    SCENARIOS / "options" / "a_two_local_homes.yaml",
    SCENARIOS / "options" / "b_recruitment_campaign.yaml",
    SCENARIOS / "options" / "c_better_retention.yaml",
]
loaded = [scenario.load(path) for path in FILES]
named = {sc.name: sc for sc in loaded}
BASELINE = loaded[0].name
OPTIONS = [sc.name for sc in loaded[1:]]
print(f"{REPLICATIONS} replications, {JOBS} worker process(es), quick mode: {SETTINGS.quick}")


def show(figure) -> None:
    """Show one of the package's charts."""
    display(Image(charts.png_bytes(figure)))


# %% [markdown]
# ## What each option changes
#
# Every setting in which the option's scenario differs from the baseline, read from the
# resolved scenario files (dates are when a change starts).

# %%
base_data = scenario.to_jsonable(loaded[0])
rows = ["| Option | Setting | Baseline | Option |", "|---|---|---|---|"]
for sc in loaded[1:]:
    for key, before, after in scenario_changes(base_data, scenario.to_jsonable(sc)):
        cells = [
            sc.name,
            f"`{key}`",
            "<br>".join(value_lines(before)),
            "<br>".join(value_lines(after)),
        ]
        rows.append("| " + " | ".join(cells) + " |")
display(Markdown("\n".join(rows)))

# %%
run = run_experiment(named, REPLICATIONS, SEED, jobs=JOBS)
results = run.results
appraisal = appraise(results, BASELINE, seed=SEED)
YEARS = appraisal.years
print(
    f"{len(named)} scenarios x {REPLICATIONS} replications x {len(YEARS)} years "
    f"in {run.wall_seconds:.0f} s"
)

# %% [markdown]
# ## The appraisal table
#
# This is the table `sufficiency-sim compare` writes for a committee paper. For the baseline
# it gives each measure's level; for each option its level, then its difference from the
# baseline with the 95% interval of the difference. Over the whole horizon, percentages and
# children in bridging are averages of the ten years' 31 March values, unplanned endings and
# cost are ten-year totals. The net present value (NPV) discounts each year's extra cost at
# the Treasury Green Book's 3.5% a year; a negative NPV is a saving. Payback is the first year
# from which the option's cumulative discounted saving stays positive.

# %%
display(Markdown(appraisal_markdown(appraisal, title="York options against the baseline")))

# %% [markdown]
# ## Out of area and far from home
#
# The share of children in care on 31 March placed outside the boundary and more than
# 20 miles from home, each option against the baseline (solid black), with 95% bands.

# %%
show(charts.out_of_area_chart(results, BASELINE))

# %% [markdown]
# ## Each option's effect, with its uncertainty
#
# The difference from the baseline over the whole ten years, with the 95% interval of the
# paired difference. A point left of the zero line is a fall (good for out of area,
# three or more placements, bridging, unplanned endings and cost; bad for long-term
# stability and children placed with in-house carers).

# %%
show(
    charts.differences_figure(
        appraisal.differences,
        baseline=BASELINE,
        all_names=appraisal.scenarios,
        measures=(
            "pct_out_of_area",
            "pct_3plus_placements",
            "pct_long_term_stable",
            "bridging_31_march",
            "unplanned_endings",
            "cost_gbp",
        ),
    )
)

# %% [markdown]
# ## Where children live under each option
#
# Children in care on 31 March by placement type, one panel per scenario. Look for children
# moving from agency foster care and out-of-area homes into in-house care (options B and C)
# or local homes (option A).

# %%
show(charts.placement_types_chart(results))

# %% [markdown]
# ## Stability, bridging and occupancy

# %%
show(charts.placements_per_child_chart(results, BASELINE))
show(charts.bridging_chart(results, BASELINE))
show(charts.occupancy_chart(results, BASELINE))

# %% [markdown]
# ## Cost and payback
#
# The cost per year of each option and its difference from the baseline (negative is a
# saving); then the cumulative discounted cost difference, which shows when (if ever) an
# option pays for itself: the line crossing zero from above is the payback year.

# %%
show(charts.cost_chart(results, BASELINE))

# %%
cost = results.pivot_table(index=["scenario", "replication"], columns="year", values="cost_gbp")
factors = discount_factors(YEARS, appraisal.discount_rate)
styles = charts.scenario_styles(appraisal.scenarios, BASELINE)
fig, ax = plt.subplots(figsize=(9, 4.5))
x = np.array(YEARS)
for option in OPTIONS:
    cumulative = ((cost.loc[option] - cost.loc[BASELINE]) * factors).cumsum(axis=1) / 1e6
    mean = cumulative.mean()
    half = t_half_width(cumulative.std(ddof=1), len(cumulative))
    style = styles[option]
    ax.fill_between(x, mean - half, mean + half, color=style.colour, alpha=0.12, linewidth=0)
    ax.plot(x, mean, color=style.colour, linestyle=style.line, marker=style.marker, label=option)
ax.axhline(0, color="black", linewidth=0.8)
ax.set_xticks(x, [year_label(y) for y in YEARS], fontsize=8)
ax.set_xlabel("Financial year (to 31 March)")
ax.set_ylabel("£ million, discounted to 2019-20 (option − baseline)")
ax.set_title("Cumulative discounted cost difference from the baseline (mean and 95% CI)")
ax.grid(True, color="#dddddd", linewidth=0.5)
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Why common random numbers matter
#
# Had each option been run on different children from the baseline, chance differences
# between the two sets of children would blur the comparison. The table gives the half-width
# of the 95% interval of each option's effect on the out-of-area share with pairing (as
# above) and without it (comparing the two averages as if they were independent), and how
# many times as many replications the unpaired comparison would need for the same precision
# (the square of the ratio of the two). Pairing helps most where an option changes few
# children's journeys; an option that changes many (such as better retention, which keeps
# carers whose children would otherwise move) gains less.

# %%
horizon_diffs = appraisal.differences[appraisal.differences["period"].eq(HORIZON)]
oa = horizon_diffs[horizon_diffs["measure"].eq("pct_out_of_area")].set_index("option")
display(
    pd.DataFrame(
        {
            "Paired ± (points)": oa["paired_half_width"].round(2),
            "Unpaired ± (points)": oa["unpaired_half_width"].round(2),
            "Replications needed unpaired (x)": (
                (oa["unpaired_half_width"] / oa["paired_half_width"]) ** 2
            ).round(1),
        }
    )
)

# %% [markdown]
# ## In plain words

# %% [markdown]
# The sentences come from `sufficiency_sim.report.headline` (the same ones `compare` prints and the
# report opens with): each effect with its 95% interval and whether it is better or worse, and
# "no measurable difference" where the interval includes zero.

# %%
resolved = {sc.name: scenario.to_jsonable(sc) for sc in loaded}
display(Markdown(headline_markdown(appraisal, resolved)))

# %% [markdown]
# **Caveats.** The options' costs are the scenario files' assumptions (capital, block
# contract prices, campaign and allowance costs) at 2024-25 prices; change them in the files
# and rerun. Effects depend on the baseline's assumptions, above all on demand and on how many
# in-house households there are (notebook 4 shows how much). The model does not let other
# councils compete for the same agency places, so it may understate how scarce those are.
