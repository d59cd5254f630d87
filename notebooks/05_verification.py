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
# # 5. Does the model do what it says? Checks against queueing theory
#
# A simulation is only worth reading if it is right. This notebook strips the placement model
# down until it becomes a system whose answer is known exactly from queueing theory, runs the
# real model code on it, and puts the simulated answer next to the exact one. If the
# bookkeeping of places, waiting, leaving care or the SSDA903 measurement were wrong, the
# points would miss the lines.
#
# Two checks:
#
# 1. **Erlang's loss formula.** The council has *c* foster places and nothing else nearby. A
#    child who arrives when all *c* are taken goes out of area, for good. The share of children
#    turned away is then given exactly by a formula the Danish engineer A. K. Erlang published
#    in 1917 for telephone exchanges (Erlang B). It depends only on *c* and on the *load*: the
#    number of children entering a year times the average number of years a child stays.
# 2. **Little's law.** With room for everyone, the average number of children in care equals
#    the number entering a year times the average stay in years. It holds for any shape of the
#    length-of-stay distribution.
#
# Each simulated point is a mean over independent replications, with its 95% confidence
# interval. About 95 out of 100 such intervals should contain the exact value; a few misses
# are expected, a pattern of misses is a bug. The same checks run as automated tests in
# `tests/verification/test_model_theory.py`, with more replications.
#
# **How much work.** The number of replications comes from the environment variable
# `SUFFICIENCY_SIM_NOTEBOOK_REPLICATIONS` (20 by default) and the number of worker processes
# from `SUFFICIENCY_SIM_NOTEBOOK_JOBS` (1 by default). With fewer than 10 replications the
# notebook runs in *quick mode* with much shorter simulated periods: that is for the automated
# test that the notebook runs, and its intervals are too wide to read anything into.

# %%
import copy
import math
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from sufficiency_sim import scenario
from sufficiency_sim.experiment.runner import run_experiment
from sufficiency_sim.measure.intervals import t_half_width
from sufficiency_sim.report.notebook import repo_root, settings
from sufficiency_sim.vocabulary import AGE_BANDS, BREAKDOWN_KINDS, NEEDS

SETTINGS = settings(default_replications=20)
REPLICATIONS, JOBS, QUICK = SETTINGS.replications, SETTINGS.jobs, SETTINGS.quick
SEED = 20240401
ROOT = repo_root()
YEAR_DAYS = 365.25

# Histories of the runs go to a temporary folder (deleted when the notebook's kernel stops).
WORK = tempfile.TemporaryDirectory(prefix="sufficiency-sim-verification-")
print(f"{REPLICATIONS} replications, {JOBS} worker process(es), quick mode: {QUICK}")

# %% [markdown]
# ## Reducing the model to a queue
#
# We start from the York baseline scenario file and switch things off, so the model becomes
# the textbook system. Everything below is an ordinary scenario: the model code that runs it
# is exactly the code that runs the York options.
#
# - Every child entering care is a single baby (no siblings, no kinship carers), entering at
#   random (a Poisson process) at a fixed average rate, with the same needs.
# - Every child leaves care by one route, after a stay drawn at entry, with a given average
#   (exponential: most stays short, a few long; or lognormal, more bunched).
# - The only local provision is *c* in-house foster households with one place each, which take
#   any child. No emergency carers, no recruitment, no carers leaving, no local homes.
# - A child who finds every place taken is placed the same day in an external children's home
#   far away, and stays there: nothing ever breaks down, no planned moves, no stepping back
#   when a local place frees up.

# %%
BASE = scenario.load_raw(ROOT / "scenarios" / "york_baseline.yaml")
NEVER_DAYS = 1e12  # a median time to breakdown so long that no placement ever breaks down


def stay(mean_days: float, shape: str) -> dict:
    """A length of stay with the given mean: exponential, or lognormal with sigma 0.8."""
    if shape == "exponential":
        return {"distribution": "exponential", "median_days": mean_days * math.log(2.0)}
    sigma = 0.8
    median = mean_days / math.exp(sigma**2 / 2)
    return {"distribution": "lognormal", "median_days": median, "sigma": sigma}


def loss_system(
    places: int,
    entries_per_year: float,
    mean_stay_days: float = YEAR_DAYS,
    shape: str = "exponential",
    horizon_years: int = 50,
    warmup_years: int = 5,
) -> scenario.Scenario:
    """The York baseline reduced to `places` single foster places plus an overflow far away."""
    data = copy.deepcopy(BASE)
    data.pop("census", None)  # start empty and warm up, whatever the baseline starts from
    data.update(
        name=f"{places} places, {entries_per_year:g} entries a year, {shape} stays",
        horizon_years=horizon_years,
        warmup_years=warmup_years,
    )
    data["entries"].update(
        rate_per_year=entries_per_year,
        trend_pct_per_year=0.0,
        seasonality_amplitude=0.0,
        age_mix={"0": 1.0},
        needs_by_age={band: {"standard": 1.0} for band in AGE_BANDS},
        sibling_group_mix={1: 1.0},
        surges=[],
    )
    pathways = data["pathways"]
    pathways["route_mix_by_age"] = {band: {"other": 1.0} for band in AGE_BANDS}
    pathways["durations"] = dict.fromkeys(pathways["durations"], stay(mean_stay_days, shape))
    pathways.update(placed_with_parents_share=0.0, supported_move_share=0.0)
    provision = data["provision"]
    provision["kinship"]["available_by_age"] = dict.fromkeys(AGE_BANDS, 0.0)
    provision["inhouse_foster"].update(
        households=places,
        places_mix={1: 1.0},
        age_ranges=[{"min_age": 0, "max_age": 17, "share": 1.0}],
        location_mix={"in": 1.0},
        complex_share=1.0,
        unavailable_place_share=0.0,
        emergency_households=0,
    )
    provision["local_homes"] = []
    provision["external_homes"].update(
        offer_probability=dict.fromkeys(NEEDS, 1.0),
        same_day_probability=1.0,
        location_mix={"far": 1.0},
    )
    data["matching"]["preferences"] = {need: ["inhouse_foster", "external_home"] for need in NEEDS}
    data["matching"]["step_back"] = {"enabled": False}
    data["endings"].update(
        weibull_shape=3.0,
        median_days=dict.fromkeys(BREAKDOWN_KINDS, NEVER_DAYS),
        planned_move_rate_per_year={},
    )
    data["carers"].update(
        enquiries_per_year=0.0, deregistration_rate_per_year=0.0, campaigns=[], retention=[]
    )
    return scenario.validate(data, "<reduced York baseline>")


def mean_ci(values: pd.Series) -> tuple[float, float, float]:
    """Mean and 95% t confidence interval of independent replication values."""
    n, mean, sd = len(values), float(values.mean()), float(values.std(ddof=1))
    half = float(t_half_width(sd, n))
    return mean, mean - half, mean + half


def histories(run_dir: Path, key: str) -> list[pd.DataFrame]:
    """The placements audit table of every replication of one scenario."""
    folders = sorted((run_dir / key).iterdir())
    return [pd.read_csv(f / "placements.csv", parse_dates=["start", "end"]) for f in folders]


# %% [markdown]
# ## 1. Erlang's loss formula
#
# With *c* places and a load of *a* (entries a year times the average stay in years), the
# share of children who find every place taken is
#
# $$B(c, a) = \frac{a^c / c!}{\sum_{k=0}^{c} a^k / k!},$$
#
# computed below with the usual stable recursion. We run four sizes of service (2, 5, 10 and 20
# places) at loads of 0.5, 0.9 and 1.3 times the number of places, each over 25 years after a
# 5-year warm-up (10 years in quick mode). Each child stays a year on average, so the load is
# simply the number entering a year. For every run we take the children who entered after the
# warm-up and count how many had an external home as their **first** placement (read from the
# model's placement records).
#
# Erlang's formula does not depend on the shape of the stay distribution, only on its mean;
# the hollow markers use lognormal stays instead of exponential ones to show that the model
# gets this right too.


# %%
def erlang_b(places: int, load: float) -> float:
    """Erlang's loss formula by the recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1))."""
    b = 1.0
    for k in range(1, places + 1):
        b = load * b / (k + load * b)
    return b


ERLANG_HORIZON = 10 if QUICK else 25
RATIOS = (0.5, 0.9, 1.3)  # load per place
cases = [(c, c * ratio, "exponential") for c in (2, 5, 10, 20) for ratio in RATIOS]
cases += [(10, 10 * ratio, "lognormal") for ratio in RATIOS]
erlang_scenarios = {
    f"c{c}-a{a:g}-{shape}": loss_system(c, a, shape=shape, horizon_years=ERLANG_HORIZON)
    for c, a, shape in cases
}
erlang_dir = Path(WORK.name) / "erlang"
erlang_run = run_experiment(erlang_scenarios, REPLICATIONS, SEED, jobs=JOBS, history_dir=erlang_dir)
print(
    f"{len(erlang_scenarios)} scenarios x {REPLICATIONS} replications x {ERLANG_HORIZON} years "
    f"in {erlang_run.wall_seconds:.0f} s"
)

# %%
rows = []
for (c, a, shape), key in zip(cases, erlang_scenarios, strict=True):
    start = pd.Timestamp(erlang_scenarios[key].start_date)
    shares, entered = [], 0
    for placements in histories(erlang_dir, key):
        first = placements.sort_values("start").groupby("child").first()
        first = first[first["start"] >= start]
        entered += len(first)
        shares.append(100 * first["provision_type"].eq("external_home").mean())
    mean, lower, upper = mean_ci(pd.Series(shares))
    theory = 100 * erlang_b(c, a)
    rows.append(
        {
            "places": c,
            "load": a,
            "stays": shape,
            "children entering": entered,
            "Erlang B (%)": theory,
            "simulated (%)": mean,
            "lower": lower,
            "upper": upper,
            "theory inside 95% CI": lower <= theory <= upper,
        }
    )
erlang = pd.DataFrame(rows)
display(erlang.round(2))
inside = int(erlang["theory inside 95% CI"].sum())
print(f"{inside} of {len(erlang)} intervals contain Erlang's value (about 95% expected).")

# %% [markdown]
# The chart shows Erlang's formula as lines (one per number of places) and the simulation as
# points with their 95% intervals. The right-hand panel zooms in on the gap between the two,
# in percentage points: every interval should sit around zero.

# %%
fig, (ax, gap) = plt.subplots(1, 2, figsize=(12, 4.8), gridspec_kw={"width_ratios": [3, 2]})
styles = {2: ("-", "o"), 5: ("--", "s"), 10: ("-.", "D"), 20: (":", "^")}
for c, (line, marker) in styles.items():
    loads = np.linspace(0.05, 1.45 * c, 200)
    ax.plot(loads, [100 * erlang_b(c, x) for x in loads], "k", linestyle=line, linewidth=1)
    ax.annotate(
        f"{c} places",
        (1.45 * c, 100 * erlang_b(c, 1.45 * c)),
        fontsize=8,
        xytext=(3, 0),
        textcoords="offset points",
        va="center",
    )
    for shape, face in (("exponential", "black"), ("lognormal", "white")):
        pts = erlang[(erlang["places"] == c) & (erlang["stays"] == shape)]
        if pts.empty:
            continue
        ax.errorbar(
            pts["load"],
            pts["simulated (%)"],
            yerr=[pts["simulated (%)"] - pts["lower"], pts["upper"] - pts["simulated (%)"]],
            fmt=marker,
            color="black",
            markerfacecolor=face,
            capsize=3,
            markersize=6,
            label=f"{c} places, {shape} stays",
        )
ax.set_xlabel("Load: children entering a year x average stay (years)")
ax.set_ylabel("Children whose first placement is out of area (%)")
ax.set_title("Simulated share turned away (points, 95% CI) and Erlang B (lines)")
ax.set_xlim(0, 32)
ax.set_ylim(0, 60)
ax.grid(True, color="#dddddd", linewidth=0.5)
ax.legend(fontsize=7, loc="lower right")

labels = [
    f"c={r.places}, a={r.load:g}{' (lognormal)' if r.stays == 'lognormal' else ''}"
    for r in erlang.itertuples()
]
y = np.arange(len(erlang))[::-1]
diff = erlang["simulated (%)"] - erlang["Erlang B (%)"]
gap.errorbar(
    diff,
    y,
    xerr=[erlang["simulated (%)"] - erlang["lower"], erlang["upper"] - erlang["simulated (%)"]],
    fmt="o",
    color="black",
    markerfacecolor="white",
    capsize=3,
)
gap.axvline(0, color="black", linewidth=0.8)
gap.set_yticks(y, labels, fontsize=7)
gap.set_xlabel("Simulated minus Erlang B (percentage points)")
gap.set_title("Gap from theory, 95% CI")
gap.grid(True, axis="x", color="#dddddd", linewidth=0.5)
fig.tight_layout()
plt.show()

# %% [markdown]
# **Reading it.** The share turned away rises steeply as the load approaches the number of
# places, and a bigger service turns fewer children away at the same load per place, the
# pooling effect every sufficiency strategy leans on. The model reproduces the formula
# across the whole range, with exponential and lognormal stays alike. (Stays are whole days in
# the model; that changes the average stay by well under a day, far inside the intervals.)
#
# Where the share is tiny (20 places at half load: about 0.2%, a handful of children in 25
# years) most replications turn nobody away, and a t interval over a few replications is
# rough: that point is the one most likely to miss. The automated test checks two cases with
# 150-200 replications instead.

# %% [markdown]
# ## 2. Little's law: children in care = entries a year x average stay
#
# Now every child finds a place (the reduced service has no foster places at all, so everyone
# goes to an external home that always has room). The average number of children in care must
# then equal the number entering a year times the average stay in years, whatever the shape
# of the stay distribution. We check it at four entry rates with exponential and with lognormal
# stays averaging one year, measuring the number in care two ways:
#
# - the **time average** over the whole reported period: total days spent in care by all
#   children (from the model's placement records) divided by the number of days, and
# - the DfE indicator **children looked after on 31 March** computed from the simulated SSDA903
#   episodes, averaged over the years (the same code that measures a real 903 extract).

# %%
LITTLE_HORIZON, LITTLE_WARMUP = (5, 5) if QUICK else (15, 10)
little_cases = [
    (rate, shape) for shape in ("exponential", "lognormal") for rate in (10, 25, 50, 100)
]
little_scenarios = {
    f"rate{rate}-{shape}": loss_system(
        0, rate, shape=shape, horizon_years=LITTLE_HORIZON, warmup_years=LITTLE_WARMUP
    )
    for rate, shape in little_cases
}
little_dir = Path(WORK.name) / "little"
little_run = run_experiment(little_scenarios, REPLICATIONS, SEED, jobs=JOBS, history_dir=little_dir)
print(f"{len(little_scenarios)} scenarios in {little_run.wall_seconds:.0f} s")

# %%
rows = []
for (rate, shape), key in zip(little_cases, little_scenarios, strict=True):
    sc = little_scenarios[key]
    first, after = pd.Timestamp(sc.start_date), pd.Timestamp(sc.end_date)
    averages = []
    for placements in histories(little_dir, key):
        start = placements["start"].clip(lower=first)
        end = placements["end"].fillna(after).clip(upper=after)
        days = (end - start).dt.days.clip(lower=0).sum()
        averages.append(days / (after - first).days)
    mean, lower, upper = mean_ci(pd.Series(averages))
    snapshot = little_run.results.query("scenario == @key").groupby("replication")["cla_31_march"]
    snap_mean, snap_lower, snap_upper = mean_ci(snapshot.mean())
    theory = rate * 1.0  # entries a year x average stay of one year
    rows.append(
        {
            "entries a year": rate,
            "stays": shape,
            "theory": theory,
            "time average": mean,
            "lower": lower,
            "upper": upper,
            "31 March count": snap_mean,
            "31 March lower": snap_lower,
            "31 March upper": snap_upper,
            "theory inside 95% CI": lower <= theory <= upper,
            "31 March: inside": snap_lower <= theory <= snap_upper,
        }
    )
little = pd.DataFrame(rows)
display(little.round(2))
inside = int(little["theory inside 95% CI"].sum() + little["31 March: inside"].sum())
print(f"{inside} of {2 * len(little)} intervals contain entries x average stay.")

# %%
fig, (ax, gap) = plt.subplots(1, 2, figsize=(12, 4.5))
line = np.array([0, 110])
ax.plot(line, line, "k-", linewidth=1, label="Little's law: entries a year x average stay")
for shape, face, shift in (("exponential", "black", -1.0), ("lognormal", "white", 1.0)):
    pts = little[little["stays"] == shape]
    ax.errorbar(
        pts["theory"] + shift,
        pts["time average"],
        yerr=[pts["time average"] - pts["lower"], pts["upper"] - pts["time average"]],
        fmt="o",
        color="black",
        markerfacecolor=face,
        capsize=3,
        label=f"time average, {shape} stays",
    )
    ax.errorbar(
        pts["theory"] + 2 * shift,
        pts["31 March count"],
        yerr=[
            pts["31 March count"] - pts["31 March lower"],
            pts["31 March upper"] - pts["31 March count"],
        ],
        fmt="s",
        color="grey",
        markerfacecolor=face,
        capsize=3,
        label=f"31 March count (903), {shape} stays",
    )
ax.set_xlabel("Entries a year x average stay (years)  [points nudged sideways to be seen]")
ax.set_ylabel("Average number of children in care")
ax.set_title("Children in care against Little's law (95% CI)")
ax.grid(True, color="#dddddd", linewidth=0.5)
ax.legend(fontsize=7, loc="upper left")

y = np.arange(len(little))[::-1]
relative = 100 * (little["time average"] / little["theory"] - 1)
err = 100 * (little["upper"] - little["time average"]) / little["theory"]
gap.errorbar(
    relative,
    y,
    xerr=err,
    fmt="o",
    color="black",
    markerfacecolor="white",
    capsize=3,
    label="time average",
)
snap_rel = 100 * (little["31 March count"] / little["theory"] - 1)
snap_err = 100 * (little["31 March upper"] - little["31 March count"]) / little["theory"]
gap.errorbar(
    snap_rel,
    y - 0.25,
    xerr=snap_err,
    fmt="s",
    color="grey",
    capsize=3,
    label="31 March count (903)",
)
gap.axvline(0, color="black", linewidth=0.8)
gap.set_yticks(
    y,
    [f"{r:g} a year, {s}" for r, s in zip(little["entries a year"], little["stays"], strict=True)],
    fontsize=8,
)
gap.set_xlabel("Simulated minus theory (% of theory)")
gap.set_title("Gap from theory, 95% CI")
gap.grid(True, axis="x", color="#dddddd", linewidth=0.5)
gap.legend(fontsize=7)
fig.tight_layout()
plt.show()

# %% [markdown]
# **Reading it.** The number in care sits on the line at every entry rate, for both stay
# shapes, and the DfE 31 March count from the simulated 903 episodes agrees with the time
# average. The 31 March count is a single day a year, so its interval is wider.
#
# ## What this does and does not show
#
# These checks show that the machinery is right: arrivals, lengths of stay, capacity that is
# never exceeded, children moving to the overflow when every place is taken, leaving care,
# and the 903 records and indicators built from them. They cannot show that the York
# *assumptions* are right (how often placements break down, how far agency placements are);
# that is what the comparison with York's published figures in notebook 1 and the
# sensitivity analysis in notebook 4 are for.

# %%
summary = (
    f"Erlang B: {int(erlang['theory inside 95% CI'].sum())} of {len(erlang)} simulated shares "
    f"have the exact value inside their 95% interval; the largest gap is "
    f"{(erlang['simulated (%)'] - erlang['Erlang B (%)']).abs().max():.2f} percentage points.  \n"
    f"Little's law: {int(little['theory inside 95% CI'].sum())} of {len(little)} time averages "
    f"and {int(little['31 March: inside'].sum())} of {len(little)} 31 March counts contain "
    f"entries x stay; the largest gap of a time average is "
    f"{relative.abs().max():.2f}% of the theory value."
)
display(Markdown(summary))
