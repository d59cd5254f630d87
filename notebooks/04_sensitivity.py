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
# # 4. Which assumptions matter most? Sensitivity of the York baseline
#
# Every number in the York baseline scenario is an estimate: how many children will enter care,
# how many foster households the council really has, how often carers leave, how long
# placements hold together, how often an agency can offer a place and how far away. Some of
# these matter a great deal to the answers a commissioner cares about; others hardly at all.
# This notebook finds out which, so that effort goes into getting the important ones right
# (for example by calibrating them to your own SSDA903 extract, notebook 3).
#
# **Method.** We change one assumption at a time to a plausible low value and a plausible high
# value, keep everything else at the baseline, and measure the effect on
#
# - the share of children in care on 31 March placed **outside the boundary** (averaged over the
#   ten years 2019-20 to 2028-29), and
# - the **cost** of placements and provision (average a year over the same ten years).
#
# Every variant runs on the same replications as the baseline with *common random numbers*:
# the same children enter care on the same days with the same needs and the same luck, so a
# difference between a variant and the baseline is caused by the change, not by chance. That
# is why the effects below have narrow intervals even with a modest number of replications.
# A change applies from the start date, 1 April 2019, never in the warm-up: York on that day
# (its children in care, their placements, its carers and homes) is the same in every variant,
# and the uncertain assumption is about how the system behaves from then on. (Before 2026-12
# changes acted in the warm-up too, so each variant started from a different York and the
# pairing was lost: breakdowns x0.75 and x1.25 then both seemed to raise the out-of-area share.)
# Values drawn when a child enters care or a placement starts (time in care, breakdown luck)
# change only for children and placements from the start date on.
#
# Then a small **two-way sweep** looks at two assumptions together: demand (children entering
# care) and supply (in-house foster households).
#
# **How much work.** The replication count comes from `SUFFICIENCY_SIM_NOTEBOOK_REPLICATIONS`
# (20 by default; with fewer than 10 the notebook is in quick mode, a smoke run whose numbers
# are not for reading), and worker processes from `SUFFICIENCY_SIM_NOTEBOOK_JOBS` (1 by
# default). At 20 replications the 30 scenarios take a few minutes on one core. In quick mode
# every scenario is cut to three years after a six-year warm-up (instead of ten after 18).

# %%
import json

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from sufficiency_sim import scenario
from sufficiency_sim.appraisal.statistics import HORIZON, paired_differences
from sufficiency_sim.appraisal.sweep import load_sweep, parse_grid, sweep_table
from sufficiency_sim.experiment.runner import run_experiment
from sufficiency_sim.report.notebook import repo_root, settings

SETTINGS = settings(default_replications=20)
REPLICATIONS, JOBS, QUICK = SETTINGS.replications, SETTINGS.jobs, SETTINGS.quick
SEED = 2019
BASELINE_FILE = repo_root() / "scenarios" / "york_baseline.yaml"
BASE = scenario.load_raw(BASELINE_FILE)
QUICK_OVERRIDES = ["horizon_years=3", "warmup_years=6"] if QUICK else []  # smoke runs only
print(f"{REPLICATIONS} replications, {JOBS} worker process(es), quick mode: {QUICK}")

# %% [markdown]
# ## The assumptions and their low and high values
#
# Each change is written as a scenario override, exactly as you would type it after `--set` on
# the command line (`sufficiency-sim run scenarios/york_baseline.yaml --set KEY=VALUE`). Where
# an assumption is a set of numbers (say the median time to a breakdown for each kind of
# placement) all of them are scaled together.


# %%
def section(dotted: str) -> dict:
    """A part of the baseline scenario, e.g. "endings.median_days"."""
    node = BASE
    for part in dotted.split("."):
        node = node[part]
    return node


def scaled(dotted: str, factor: float, field: str | None = None) -> list[str]:
    """Overrides multiplying every value under `dotted` (or its `field`) by `factor`."""
    items = section(dotted).items()
    if field is None:
        return [f"{dotted}.{key}={value * factor:.6g}" for key, value in items]
    return [f"{dotted}.{key}.{field}={value[field] * factor:.6g}" for key, value in items]


def mix(dotted: str, shares: dict) -> list[str]:
    """An override replacing a whole mix of shares."""
    return [f"{dotted}={json.dumps(shares)}"]


ifa_offer = section("provision.ifa.offer_probability")
# fmt: off
PARAMETERS = [
    # (what, baseline, low, high, overrides for low, overrides for high)
    ("Children entering care a year", "64", "51", "77",
     ["entries.rate_per_year=51"], ["entries.rate_per_year=77"]),
    ("In-house foster households", "80", "64", "96",
     ["provision.inhouse_foster.households=64"], ["provision.inhouse_foster.households=96"]),
    ("Share of in-house places not available", "30%", "20%", "40%",
     ["provision.inhouse_foster.unavailable_place_share=0.2"],
     ["provision.inhouse_foster.unavailable_place_share=0.4"]),
    ("Foster households leaving a year", "13%", "10%", "16%",
     ["carers.deregistration_rate_per_year=0.10"], ["carers.deregistration_rate_per_year=0.16"]),
    # The baseline recruits to keep its 80 households; these two recruit from enquiries instead
    # (York's 2018-19 conversion of enquiries to approvals), whatever the number of households.
    ("Recruiting from enquiries, not to the level (enquiries a year)", "level", "104", "156",
     ["carers.recruitment=pipeline", "carers.enquiries_per_year=104"],
     ["carers.recruitment=pipeline", "carers.enquiries_per_year=156"]),
    ("Median time to a placement breakdown", "x1", "x0.75", "x1.25",
     scaled("endings.median_days", 0.75), scaled("endings.median_days", 1.25)),
    ("Agency (IFA) finds a place (standard / complex needs)",
     f"{ifa_offer['standard']:.0%} / {ifa_offer['complex']:.0%}", "80% / 50%", "98% / 80%",
     ["provision.ifa.offer_probability.standard=0.80",
      "provision.ifa.offer_probability.complex=0.50"],
     ["provision.ifa.offer_probability.standard=0.98",
      "provision.ifa.offer_probability.complex=0.80"]),
    ("Agency placements inside / near / far", "20 / 30 / 50%", "10 / 30 / 60%", "30 / 30 / 40%",
     mix("provision.ifa.location_mix", {"in": 0.1, "near": 0.3, "far": 0.6}),
     mix("provision.ifa.location_mix", {"in": 0.3, "near": 0.3, "far": 0.4})),
    ("Kinship carers found at entry", "x1", "x0.75", "x1.25",
     scaled("provision.kinship.available_by_age", 0.75),
     scaled("provision.kinship.available_by_age", 1.25)),
    ("Time in care (median by route)", "x1", "x0.8", "x1.2",
     scaled("pathways.durations", 0.8, "median_days"),
     scaled("pathways.durations", 1.2, "median_days")),
]
# fmt: on

display(
    pd.DataFrame(
        [(what, base, low, high) for what, base, low, high, _, _ in PARAMETERS],
        columns=["Assumption", "Baseline", "Low", "High"],
    )
)
print("For example, the low value of the breakdown medians is:", *PARAMETERS[5][4], sep="\n  ")

# %% [markdown]
# ## Run the baseline and the 20 variants
#
# Every scenario is validated before anything runs: a mistyped key or an impossible value
# (a share above 1) stops here with a message naming it.

# %%
variants = {"baseline": scenario.load(BASELINE_FILE, QUICK_OVERRIDES)}
for what, _, _, _, low, high in PARAMETERS:
    variants[f"{what} | low"] = scenario.load(BASELINE_FILE, [*QUICK_OVERRIDES, *low])
    variants[f"{what} | high"] = scenario.load(BASELINE_FILE, [*QUICK_OVERRIDES, *high])
run = run_experiment(variants, REPLICATIONS, SEED, jobs=JOBS)
print(f"{len(variants)} scenarios x {REPLICATIONS} replications in {run.wall_seconds:.0f} s")

# %%
HORIZON_YEARS = run.results["year"].nunique()
diffs = paired_differences(run.results, "baseline")
diffs = diffs[diffs["period"].eq(HORIZON)].copy()
split = diffs["option"].str.split(" | ", regex=False)
diffs["assumption"], diffs["level"] = split.str[0], split.str[1]
# Cost over the horizon is a total: show it as an average a year, in £ million.
per_year = diffs["measure"].eq("cost_gbp")
for column in ("difference", "paired_lower", "paired_upper", "baseline_mean"):
    diffs.loc[per_year, column] = diffs.loc[per_year, column] / HORIZON_YEARS / 1e6

base_levels = diffs.drop_duplicates("measure").set_index("measure")["baseline_mean"]
print(
    f"Baseline over {HORIZON_YEARS} years: {base_levels['pct_out_of_area']:.1f}% placed out of "
    f"area on 31 March (mean of the years); cost £{base_levels['cost_gbp']:.2f}m a year."
)


def effects(measure: str) -> pd.DataFrame:
    """Low and high effect of each assumption on a measure, largest swing first."""
    rows = diffs[diffs["measure"].eq(measure)]
    wide = rows.pivot_table(
        index="assumption",
        columns="level",
        values=["difference", "paired_lower", "paired_upper"],
        sort=False,
    )
    wide.columns = [f"{stat} {level}" for stat, level in wide.columns]
    # The spread of the answers at the low, baseline and high values (the bars' full width).
    ends = wide[["difference low", "difference high"]].assign(baseline=0.0)
    swing = ends.max(axis=1) - ends.min(axis=1)
    return wide.assign(swing=swing).sort_values("swing")


# %% [markdown]
# ## Tornado charts
#
# Each row is one assumption. The light hatched bar is the change in the answer when the
# assumption takes its **low** value, the dark bar when it takes its **high** value; the black
# whiskers are 95% confidence intervals of the difference from the baseline. The assumptions
# that matter most are at the top. A bar to the right means more children out of area (or a
# higher cost) than in the baseline.

# %%
LABELS = {what: f"{what}\n(low {low}, high {high})" for what, _, low, high, _, _ in PARAMETERS}


def tornado(measure: str, unit: str, title: str) -> None:
    table = effects(measure)
    y = np.arange(len(table))
    fig, ax = plt.subplots(figsize=(10, 0.55 * len(table) + 1.6))
    for level, shift, face, hatch in (("low", 0.2, "#d9d9d9", "//"), ("high", -0.2, "#404040", "")):
        mid = table[f"difference {level}"]
        ax.barh(
            y + shift,
            mid,
            height=0.38,
            color=face,
            edgecolor="black",
            hatch=hatch,
            linewidth=0.6,
            label=f"{level} value",
        )
        ax.errorbar(
            mid,
            y + shift,
            xerr=[mid - table[f"paired_lower {level}"], table[f"paired_upper {level}"] - mid],
            fmt="none",
            ecolor="black",
            capsize=2,
            linewidth=0.8,
        )
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, [LABELS[a] for a in table.index], fontsize=8)
    ax.set_xlabel(unit)
    ax.set_title(title)
    ax.grid(True, axis="x", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    plt.show()


tornado(
    "pct_out_of_area",
    f"Change in children placed outside the boundary (percentage points, mean of "
    f"{HORIZON_YEARS} years)",
    f"Placed out of area: effect of each assumption (baseline "
    f"{base_levels['pct_out_of_area']:.1f}%)",
)
tornado(
    "cost_gbp",
    f"Change in cost (£ million a year, average of {HORIZON_YEARS} years)",
    f"Cost: effect of each assumption (baseline £{base_levels['cost_gbp']:.1f}m a year)",
)

# %% [markdown]
# The same numbers as a table: each effect with its 95% interval.


# %%
def cell(row: pd.Series, level: str, digits: int) -> str:
    mid, lo, hi = (row[f"{s} {level}"] for s in ("difference", "paired_lower", "paired_upper"))
    return f"{mid:+.{digits}f} [{lo:+.{digits}f}, {hi:+.{digits}f}]"


out_of_area, cost = effects("pct_out_of_area"), effects("cost_gbp")
table = pd.DataFrame(
    {
        "Out of area, low value (points)": [cell(r, "low", 1) for _, r in out_of_area.iterrows()],
        "Out of area, high value (points)": [cell(r, "high", 1) for _, r in out_of_area.iterrows()],
        "Cost, low value (£m a year)": [cell(cost.loc[a], "low", 2) for a in out_of_area.index],
        "Cost, high value (£m a year)": [cell(cost.loc[a], "high", 2) for a in out_of_area.index],
    },
    index=[LABELS[a].replace("\n", " ") for a in out_of_area.index],
).iloc[::-1]
display(table)

# %%
ranked = out_of_area.iloc[::-1]
cost_ranked = cost.iloc[::-1]
lines = [
    f"**Out of area.** The answer moves most with *{ranked.index[0]}* (the low, baseline "
    f"and high values give answers {ranked['swing'].iloc[0]:.1f} percentage points apart), "
    f"then *{ranked.index[1]}* ({ranked['swing'].iloc[1]:.1f}) and *{ranked.index[2]}* "
    f"({ranked['swing'].iloc[2]:.1f}). The least influential is *{ranked.index[-1]}* "
    f"({ranked['swing'].iloc[-1]:.1f}).",
    f"**Cost.** Most sensitive to *{cost_ranked.index[0]}* (answers "
    f"£{cost_ranked['swing'].iloc[0]:.2f}m a year apart), then *{cost_ranked.index[1]}* "
    f"(£{cost_ranked['swing'].iloc[1]:.2f}m) and *{cost_ranked.index[2]}* "
    f"(£{cost_ranked['swing'].iloc[2]:.2f}m).",
]
display(Markdown("\n\n".join(lines)))

# %% [markdown]
# **Reading it.** Assumptions that change how many children need a place at the same time, or
# how many local places there are to offer, tend to move the out-of-area share most;
# assumptions about the agency market move it through *where* agency placements are. The
# ranking above says which mattered most here. An assumption with a short bar can be left at
# its published or assumed value; one with a long bar is worth checking against your own data
# before a decision rests on the model. The low and high values are judgement, not measured
# uncertainty: a wider plausible range for an assumption would lengthen its bar.
#
# **Breakdowns, and why this tornado changed.** In the run of 3 December 2026 (20
# replications, seed 2019) breakdown medians x0.75 (more breakdowns) gave +0.2 [-0.4, +0.7]
# points of out-of-area share and x1.25 (fewer) gave -0.4 [-0.8, -0.1]: fewer breakdowns
# lower the share a little, more do not measurably raise it over ten years (a breakdown mostly
# moves a child between placements of the same kind, and a change acts only on placements
# that start from 2019). Until then the tornado showed both values raising the share. That
# was an artefact: each variant ran its change through the 18-year warm-up too, and carers
# were replaced from one shared random sequence, so every variant started 2019 with a
# different stock of carers (a paired SD of 8.5 usable in-city places) and the comparison
# measured that difference in starting point as much as the change. Now every variant starts
# from the baseline's York on 1 April 2019 (checked by
# `tests/statistical/test_model_pairing.py`), and the
# recruitment row asks what happens if York recruits from its 2018-19 enquiry figures instead
# of keeping its 80 households: 104 enquiries a year raise the share by 1.8 [0.5, 3.1] points,
# 156 lower it by 3.4 [2.2, 4.7].
#
# ## Two assumptions together: demand and in-house foster supply
#
# One-at-a-time changes miss interactions. Here the entry rate and the number of in-house
# foster households vary together on a 3 x 3 grid, the same as the command
#
# ```
# sufficiency-sim sweep scenarios/york_baseline.yaml \
#     --grid entries.rate_per_year=51,64,77 --grid provision.inhouse_foster.households=64,80,96
# ```

# %%
axes = [
    parse_grid("entries.rate_per_year=51,64,77"),
    parse_grid("provision.inhouse_foster.households=64,80,96"),
]
grid_scenarios = load_sweep(BASELINE_FILE, axes, QUICK_OVERRIDES)
sweep_run = run_experiment(grid_scenarios, REPLICATIONS, SEED, jobs=JOBS)
sweep = sweep_table(sweep_run.results, axes)
sweep = sweep[sweep["period"].eq(HORIZON)]
print(f"{len(grid_scenarios)} grid points in {sweep_run.wall_seconds:.0f} s")

# %%
rate_key, households_key = (axis.key for axis in axes)
fig, panels = plt.subplots(1, 2, figsize=(12, 4.2))
for ax, measure, scale, unit, fmt in (
    (panels[0], "pct_out_of_area", 1.0, "% placed out of area", "{:.1f}%"),
    (panels[1], "cost_gbp", 1e6 * HORIZON_YEARS, "£ million a year", "£{:.2f}m"),
):
    rows = sweep[sweep["measure"].eq(measure)]
    grid = rows.pivot(index=rate_key, columns=households_key, values="mean") / scale
    half = (rows.pivot(index=rate_key, columns=households_key, values="upper") / scale) - grid
    image = ax.imshow(grid.to_numpy(), cmap="Greys", origin="lower", aspect="auto")
    for i, rate in enumerate(grid.index):
        for j, households in enumerate(grid.columns):
            value = grid.loc[rate, households]
            dark = value > (np.nanmin(grid.to_numpy()) + np.nanmax(grid.to_numpy())) / 2
            ax.text(
                j,
                i,
                f"{fmt.format(value)}\n±{half.loc[rate, households]:.2g}",
                ha="center",
                va="center",
                fontsize=9,
                color="white" if dark else "black",
            )
    ax.set_xticks(range(len(grid.columns)), [str(h) for h in grid.columns])
    ax.set_yticks(range(len(grid.index)), [str(r) for r in grid.index])
    ax.set_xlabel("In-house foster households at the start")
    ax.set_ylabel("Children entering care a year")
    ax.set_title(f"{unit} (mean of {HORIZON_YEARS} years, ± 95% CI)", fontsize=10)
    fig.colorbar(image, ax=ax, label=unit)
fig.suptitle("Demand against in-house foster supply")
fig.tight_layout()
plt.show()

# %%
oa = sweep[sweep["measure"].eq("pct_out_of_area")].pivot(
    index=rate_key, columns=households_key, values="mean"
)
fewest, most = oa.columns.min(), oa.columns.max()
steps = "; ".join(
    f"{oa.loc[rate, fewest] - oa.loc[rate, most]:.1f} points with {rate} entries a year"
    for rate in oa.index
)
display(
    Markdown(
        f"Going from {fewest} to {most} in-house households lowers the out-of-area share by "
        f"{steps}. The corner with high demand and few carers reaches "
        f"{oa.loc[oa.index.max(), fewest]:.1f}%, the corner with low demand and many carers "
        f"{oa.loc[oa.index.min(), most]:.1f}%."
    )
)

# %% [markdown]
# **Reading it.** Read across a row to see what more in-house carers buy at a given level of
# demand, and down a column to see what a rise in demand does at a given level of supply.
# If the steps across a row differ clearly from row to row (by more than their intervals),
# the two assumptions interact and their effects cannot simply be added up; if they are
# about the same, the one-at-a-time tornado above tells most of the story.
