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
# # 1. The York baseline: where children live, how often they move, how far from home, and cost
#
# This notebook runs the **York baseline**: a small unitary authority like the City of York
# from 1 April 2019, with the council's foster carers, one small council children's home and
# heavy use of agency foster care and children's homes bought out of area
# (`scenarios/york_baseline.yaml`; every value and its source is in `docs/york_baseline.md`).
# Nothing changes in it: it shows what the current arrangements lead to over ten years if
# demand and supply stay as they are. The options in notebook 2 are measured against it.
#
# **Uncertainty.** Which children come into care, when, and how their placements go is a
# matter of chance. The model is therefore run many times (*replications*), each a different
# but equally likely ten years. Every figure below is the average over the replications with
# its **95% confidence interval** in brackets: the range in which the model's long-run
# average lies, with 95% confidence. The interval narrows as replications are added; it says
# how precisely the model has been run, not how far York's real future may stray (the
# year-to-year spread between replications, shown in some charts, says that).
#
# All measures are the Department for Education's, computed from simulated SSDA903 episodes
# by the same code that measures a real 903 return; a "year" is a financial year to 31 March.
#
# **How much work.** The replication count comes from the environment variable
# `SUFFICIENCY_SIM_NOTEBOOK_REPLICATIONS` (30 by default; fewer than 10 is a quick smoke run
# whose numbers are not for reading), worker processes from `SUFFICIENCY_SIM_NOTEBOOK_JOBS`
# (1 by default). 30 replications take about ten seconds.

# %%
import pandas as pd
from IPython.display import Image, Markdown, display

from sufficiency_sim import scenario
from sufficiency_sim.appraisal.statistics import HORIZON, level_summary, year_label
from sufficiency_sim.experiment.runner import run_experiment, summarise
from sufficiency_sim.report import charts
from sufficiency_sim.report.notebook import repo_root, settings

SETTINGS = settings(default_replications=30)
REPLICATIONS, JOBS = SETTINGS.replications, SETTINGS.jobs
SEED = 2019
BASELINE = scenario.load(repo_root() / "scenarios" / "york_baseline.yaml")
pd.set_option("display.max_colwidth", None)
print(f"{REPLICATIONS} replications, {JOBS} worker process(es), quick mode: {SETTINGS.quick}")


def show(figure) -> None:
    """Show one of the package's charts."""
    display(Image(charts.png_bytes(figure)))


def ci(row: pd.Series, digits: int = 1, scale: float = 1.0) -> str:
    """'mean [lower, upper]' of a summary row (every measure here is at least 0)."""
    mean, lo, hi = (row[c] / scale for c in ("mean", "lower", "upper"))
    lo = max(lo, 0.0)
    return f"{mean:,.{digits}f} [{lo:,.{digits}f}, {hi:,.{digits}f}]"


# %% [markdown]
# ## What the baseline assumes

# %%
p = BASELINE.provision
facts = {
    "Start, length": f"{BASELINE.start_date:%d %B %Y}, {BASELINE.horizon_years} years "
    f"(after {BASELINE.warmup_years} years of warm-up to fill the system)",
    "Children entering care": f"{BASELINE.entries.rate_per_year:g} a year, at random",
    "In-house foster households": f"{p.inhouse_foster.households} mainstream, plus "
    f"{p.inhouse_foster.emergency_households} emergency carers",
    "Foster carers leaving": f"{BASELINE.carers.deregistration_rate_per_year:.0%} of households "
    f"a year; about {BASELINE.carers.enquiries_per_year:g} enquiries a year from new ones",
    "Local children's homes": ", ".join(f"{h.name} ({h.beds} beds)" for h in p.local_homes),
    "Weekly prices": f"in-house foster £{p.inhouse_foster.weekly_cost:,.0f}, agency foster "
    f"£{p.ifa.weekly_cost:,.0f}, external home £{p.external_homes.weekly_cost:,.0f}, emergency "
    f"residential £{p.emergency_residential.weekly_cost:,.0f}",
}
display(pd.DataFrame.from_dict(facts, orient="index", columns=["York baseline"]))

# %%
run = run_experiment(BASELINE, REPLICATIONS, SEED, jobs=JOBS)
results = run.results
summary = summarise(results).set_index(["year", "measure"])
levels = level_summary(results)
horizon = levels[levels["period"].eq(HORIZON)].set_index("measure")
YEARS = sorted(results["year"].unique())
FIRST, LAST = YEARS[0], YEARS[-1]
print(f"{REPLICATIONS} replications of {len(YEARS)} years in {run.wall_seconds:.0f} s")

# %% [markdown]
# ## Does the baseline look like York?
#
# The first simulated year (2019-20) beside York's published position for the year ending
# 31 March 2019 (DfE, *Children looked after in England including adoptions*, 2019 local
# authority tables, and the stability and new-placement tables). The baseline was set up to
# match the first five rows; the last two are known weak spots of the model (it places too
# few children more than 20 miles away and far too few with their parents).

# %%
published = [
    ("Children looked after on 31 March", "cla_31_march", "207", 0),
    ("Started to be looked after in the year", "starts", "69", 0),
    ("Placed outside the council's boundary (%)", "pct_out_of_area", "40", 1),
    ("Three or more placements in the year (%)", "pct_3plus_placements", "14-15", 1),
    ("Long-term stability (%)", "pct_long_term_stable", "57", 1),
    ("Placements started in the year", "placements_started", "211", 0),
    ("Placed more than 20 miles from home (%)", "pct_over_20_miles", "18", 1),
]
display(
    pd.DataFrame(
        [
            (label, ci(summary.loc[(FIRST, measure)], digits), york)
            for label, measure, york, digits in published
        ],
        columns=["Measure", f"Simulated {year_label(FIRST)}", "York published 2018-19"],
    ).set_index("Measure")
)

# %% [markdown]
# ## Where children live
#
# Children in care on 31 March by type of placement. The chart shows each year with its 95%
# interval as a band; the table gives the first and the last year, in children and as a share
# of all children in care.

# %%
show(charts.placement_types_chart(results))

# %%
TYPES = [t for t in charts.PLACEMENT_TYPES if results[t].gt(0).any()]
shares = results[["replication", "year"]].copy()
for kind in TYPES:
    shares[kind] = 100 * results[kind] / results["cla_31_march"]
share_summary = summarise(shares).set_index(["year", "measure"])
rows = []
for kind in TYPES:
    rows.append(
        {
            "Placement type": charts.PLACEMENT_STYLES[kind].label,
            f"Children {year_label(FIRST)}": ci(summary.loc[(FIRST, kind)]),
            f"% of all {year_label(FIRST)}": ci(share_summary.loc[(FIRST, kind)]),
            f"Children {year_label(LAST)}": ci(summary.loc[(LAST, kind)]),
            f"% of all {year_label(LAST)}": ci(share_summary.loc[(LAST, kind)]),
        }
    )
display(pd.DataFrame(rows).set_index("Placement type"))

# %% [markdown]
# ## How often children move
#
# A *placement move* is a new placement for a child already in care. An *unplanned ending*
# is a placement that ended because the carer or the child asked, after an allegation or a
# standards concern, or because the provider closed. *Three or more placements* is the share
# of children in care on 31 March who had three or more placements during the year (lower is
# better); *long-term stability* is the share of children under 16 in care for 2½ years or
# more who have lived in the same placement for at least two years (higher is better).

# %%
show(
    charts.measures_by_year_chart(
        results,
        ["placement_moves", "unplanned_endings", "pct_3plus_placements", "pct_long_term_stable"],
        title="Moves and stability by financial year (mean and 95% confidence interval)",
    )
)
show(charts.placements_per_child_chart(results))

# %% [markdown]
# ## How far from home
#
# The share of children in care on 31 March placed outside the council's boundary, and more
# than 20 miles from home; and *bridging*: children waiting in a stop-gap placement (an
# emergency foster carer or emergency residential care) while the right home is found.

# %%
show(charts.out_of_area_chart(results))
show(charts.bridging_chart(results))

# %% [markdown]
# ## What it costs
#
# Weekly prices of each kind of placement (2024-25 prices, no inflation) for every day it
# lasts; the council's own children's home is paid for every bed, occupied or not. The cost
# per child divides the year's cost by the children in care on 31 March, a rough unit cost.

# %%
show(charts.cost_chart(results))
per_child = results[["replication", "year"]].assign(
    cost_per_child=results["cost_gbp"] / results["cla_31_march"]
)
per_child_summary = summarise(per_child).set_index(["year", "measure"])
cost_rows = [
    {
        "Financial year": year_label(year),
        "Cost (£ million)": ci(summary.loc[(year, "cost_gbp")], 2, 1e6),
        "Per child in care on 31 March (£ thousand)": ci(
            per_child_summary.loc[(year, "cost_per_child")], 1, 1e3
        ),
    }
    for year in (FIRST, LAST)
]
display(pd.DataFrame(cost_rows).set_index("Financial year"))

# %% [markdown]
# ## How full the council's own places are
#
# The share of approved in-house foster places and of local children's home beds that are
# filled, averaged over each year. Places stand empty when no waiting child fits them
# (age range, needs, siblings) and while a carer is between children.

# %%
show(charts.occupancy_chart(results))

# %% [markdown]
# ## The baseline in brief

# %%
headline = [
    ("Children in care on 31 March", "cla_31_march", 0, 1.0),
    ("Placed outside the boundary (%)", "pct_out_of_area", 1, 1.0),
    ("More than 20 miles from home (%)", "pct_over_20_miles", 1, 1.0),
    ("Three or more placements in the year (%)", "pct_3plus_placements", 1, 1.0),
    ("Long-term stability (%)", "pct_long_term_stable", 1, 1.0),
    ("Placement moves a year", "placement_moves", 0, 1.0),
    ("Children in bridging placements on 31 March", "bridging_31_march", 1, 1.0),
    ("Cost a year (£ million)", "cost_gbp", 2, 1e6),
]
brief = pd.DataFrame(
    [
        (label, ci(summary.loc[(FIRST, m)], d, s), ci(summary.loc[(LAST, m)], d, s))
        for label, m, d, s in headline
    ],
    columns=["Measure", year_label(FIRST), year_label(LAST)],
).set_index("Measure")
display(brief)
oa, cost = summary.loc[(FIRST, "pct_out_of_area")], summary.loc[(FIRST, "cost_gbp")]
oa_all = horizon.loc["pct_out_of_area"]
cost_all = horizon.loc["cost_gbp"]
display(
    Markdown(
        f"In {year_label(FIRST)} about **{oa['mean']:.0f}%** of York's children in care live "
        f"outside the city (95% CI [{oa['lower']:.1f}, {oa['upper']:.1f}]%), and placements cost "
        f"about **£{cost['mean'] / 1e6:.1f}m** a year. Over the ten years to {year_label(LAST)} "
        f"the out-of-area share averages {oa_all['mean']:.1f}% "
        f"({oa_all['lower']:.1f}-{oa_all['upper']:.1f}%) and the total cost is "
        f"£{cost_all['mean'] / 1e6:.0f}m (£{cost_all['lower'] / 1e6:.0f}-"
        f"{cost_all['upper'] / 1e6:.0f}m), at 2024-25 prices and with nothing changed."
    )
)

# %% [markdown]
# **Caveats.** The model places too few children with their parents (about 1.5% of children
# in care against York's 10%) and too few more than 20 miles away; demand is assumed flat at
# York's 2018-19 level (it rose sharply in 2019-20); and prices stay at 2024-25 levels. See
# the README's *Known limits*. Notebook 4 shows which assumptions move these answers most.
