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
# # 3. Calibrate the model to your own SSDA903 extract
#
# Every council already sends the Department for Education an SSDA903 return each year: one row
# per episode of care for every child looked after. This notebook turns such an extract into a
# model of *your* authority: how many children come into care and at what ages, how long they
# stay and how they leave, where they are placed and how often placements end, and, as the
# starting point, the children actually in care on the last day of the extract.
#
# It runs on the **synthetic extract bundled with the package** (made by the model itself; no
# real child is in it). To use your own, point `EPISODES` and `HEADER` below at your returns: a
# CSV file, a folder of yearly returns or a zip. Nothing leaves your machine, and nothing the
# calibration writes carries a child's identifier, date of birth or postcode.
#
# The same work from the command line:
#
# ```
# sufficiency-sim calibrate --episodes EPISODES --header HEADER --out my_authority.yaml
# sufficiency-sim run my_authority.yaml
# sufficiency-sim backtest --episodes EPISODES --header HEADER --train-to 2021-03-31
# ```
#
# **What SSDA903 cannot tell the model.** The number of foster carers, children's home beds,
# weekly prices, children's needs and how placements are chosen are not in the return. They come
# from a *template* scenario (here the York baseline); an analyst should use one describing
# their own authority's capacity and costs. The table below says which values came from the
# data and which from the template.
#
# **How much work.** Replications come from `SUFFICIENCY_SIM_NOTEBOOK_REPLICATIONS` (20 by
# default; fewer than 10 is a quick smoke run whose numbers are not for reading), worker
# processes from `SUFFICIENCY_SIM_NOTEBOOK_JOBS` (1 by default).

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Image, Markdown, display

from sufficiency_sim import scenario
from sufficiency_sim.calibration.backtest import coverage, run_backtest
from sufficiency_sim.calibration.census import starting_from
from sufficiency_sim.calibration.pipeline import calibrate
from sufficiency_sim.calibration.reading import default_window
from sufficiency_sim.calibration.scenario_writer import write_scenario
from sufficiency_sim.experiment.runner import run_experiment
from sufficiency_sim.report import charts
from sufficiency_sim.report.notebook import repo_root, settings
from sufficiency_sim.scenario.census import write_census
from sufficiency_sim.ssda903.read import read_episodes, read_header

SETTINGS = settings(default_replications=20)
REPLICATIONS, JOBS = SETTINGS.replications, SETTINGS.jobs
SEED = 2019
ROOT = repo_root()
EPISODES = ROOT / "sufficiency_sim" / "data" / "sample" / "episodes.csv"
HEADER = ROOT / "sufficiency_sim" / "data" / "sample" / "header.csv"
TEMPLATE = ROOT / "scenarios" / "york_baseline.yaml"
pd.set_option("display.max_colwidth", 120)
print(f"{REPLICATIONS} replications, {JOBS} worker process(es), quick mode: {SETTINGS.quick}")


def show(figure) -> None:
    """Show one of the package's charts."""
    display(Image(charts.png_bytes(figure)))


# %% [markdown]
# ## The extract
#
# Read the episodes and header as they are: the calibration cleans them itself (merging the
# overlapping yearly returns, dropping short breaks, closing stale open episodes ...) and
# counts what each rule changed. The window runs from the first 1 April the extract covers to
# its last 31 March.

# %%
episodes = read_episodes(EPISODES)
header = read_header(HEADER)
start, end = default_window(episodes)
print(f"{len(episodes):,} episode rows; window {start:%d %B %Y} to {end:%d %B %Y}")

# %%
calibration = calibrate(
    episodes,
    header,
    scenario.load_raw(TEMPLATE),
    start,
    end,
    name="My authority",
    census_file="my_authority_census.csv",
)
rules = pd.Series(calibration.rules, name="count")
display(rules[rules > 0].to_frame())

# %% [markdown]
# ## What came from the data, and what from the template
#
# "data": estimated from the extract (each with a note saying how, and from how many); "scaled":
# the template's capacity scaled up because more children were with in-house foster carers on
# the last day than the template's households could take; "template": not in SSDA903.

# %%
provenance = pd.DataFrame(
    [(p.key, p.source, p.note) for p in calibration.provenance], columns=["key", "source", "how"]
)
display(provenance["source"].value_counts().to_frame("scenario values"))
display(provenance[provenance["source"] != "template"].sort_values("key").reset_index(drop=True))

# %% [markdown]
# ## Entries into care
#
# Children starting a period of care in each collection year, and the rate the scenario uses.

# %%
diagnostics = calibration.estimates.diagnostics
starts = diagnostics["entries_by_year"].pivot_table(
    index="year", columns="age_band", values="starts", aggfunc="sum"
)
rate = calibration.data["entries"]["rate_per_year"]
figure, ax = plt.subplots(figsize=(7, 3.5))
starts.plot.bar(stacked=True, ax=ax, color=["0.1", "0.3", "0.5", "0.7", "0.9"], edgecolor="k")
ax.axhline(rate, color="k", linestyle="--", label=f"calibrated rate: {rate:.1f} a year")
ax.set_xlabel("collection year ending 31 March")
ax.set_ylabel("children starting care")
ax.legend(title="age at entry", fontsize=8, ncol=3)
plt.show()

# %% [markdown]
# ## How long children stay
#
# The solid line is the Kaplan-Meier estimate of the share still in care after so many years,
# by age at entry, with its 95% band: children still in care at the end of the extract count as
# "at least this long", and children who entered before the window are counted from the day it
# began. The dashed line is what the calibrated model implies. Close lines mean the model's
# pathways (return home, adoption, special guardianship, leaving at 18 ...) reproduce how long
# children in this authority stay.

# %%
km, fitted = diagnostics["km"], diagnostics["fitted_survival"]
bands = [b for b in ("0", "1-4", "5-9", "10-15", "16-17") if b in set(km["band"])]
figure, axes = plt.subplots(1, len(bands), figsize=(3 * len(bands), 3), sharey=True)
for ax, band in zip(axes, bands, strict=True):
    k, f = km[km["band"] == band], fitted[fitted["band"] == band]
    ax.fill_between(k["day"] / 365.25, k["lower"], k["upper"], step="post", color="0.85")
    ax.step(k["day"] / 365.25, k["survival"], where="post", color="k", label="observed")
    ax.plot(f["day"] / 365.25, f["survival"], "k--", label="model")
    ax.set_title(f"aged {band} at entry", fontsize=9)
    ax.set_xlabel("years in care")
    ax.set_xlim(0, 10)
axes[0].set_ylabel("share still in care")
axes[0].legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## The children in care on the last day: the model's starting point
#
# The census holds, for each child, only their age in years and months, how long they have been
# in care, the kind of placement they are in, how long they have been there, and whether it is
# inside the authority, outside within 20 miles, or further. The model starts from exactly
# these children instead of "warming up" an imaginary population.

# %%
census = calibration.census
mix = census["placement"].value_counts().rename("children").to_frame()
mix["share"] = (mix["children"] / mix["children"].sum()).map("{:.0%}".format)
display(mix)
print(
    f"{len(census)} children; median {census['days_in_care'].median() / 365.25:.1f} years in "
    f"care; {census['location'].ne('in').mean():.0%} placed outside the boundary"
)

# %% [markdown]
# ## Running the calibrated scenario
#
# The calibrated scenario is an ordinary scenario file: written to disk it runs with
# `sufficiency-sim run my_authority.yaml`, and options can `extends:` it like any other. Here it
# runs in memory for its horizon, starting on the day after the extract ends.

# %%
calibrated = calibration.scenario()
if SETTINGS.quick:
    first_day = calibration.data["start_date"]
    calibrated = scenario.validate(starting_from(calibration.data, census, first_day, years=2))
run = run_experiment(calibrated, REPLICATIONS, SEED, jobs=JOBS)
show(charts.placement_types_chart(run.results))

# %%
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "my_authority.yaml"
    write_scenario(path, calibration.data, calibration.provenance, EPISODES.name)
    write_census(census.to_dict("records"), Path(folder) / "my_authority_census.csv")
    reloaded = scenario.load(path)
    print(path.read_text().split("\n\n")[0][:1500])
    print(f"... reloads as '{reloaded.name}' starting {reloaded.start_date:%d %B %Y}")

# %% [markdown]
# ## Would it have predicted the last few years? A backtest
#
# Calibrate on the extract up to 31 March three years before its end, start from the children
# in care that day, simulate the three years the model has not seen, and compare with what the
# extract says happened. The band is the 95% prediction band over replications (the range of
# likely single years, not just of the average): about 95 in 100 observed values should fall
# inside it if the model is right; fewer says where it is not.

# %%
train_to = pd.Timestamp(end.year - 3, 3, 31)
table = run_backtest(
    episodes,
    header,
    scenario.load_raw(TEMPLATE),
    start,
    train_to,
    end,
    replications=max(REPLICATIONS, 5),
    seed=SEED,
    jobs=JOBS,
)
display(
    Markdown(
        f"Trained to {train_to:%d %B %Y}; observed value inside the 95% band in "
        f"**{table['inside'].sum()} of {len(table)}** indicator-years "
        f"({coverage(table):.0%})."
    )
)
display(table.round(1))

# %%
measures = ["cla_31_march", "starts", "pct_out_of_area", "pct_3plus_placements"]
figure, axes = plt.subplots(1, len(measures), figsize=(3.2 * len(measures), 3))
for ax, measure in zip(axes, measures, strict=True):
    t = table[table["measure"] == measure]
    ax.fill_between(t["year"], t["lower"], t["upper"], color="0.85", label="95% band")
    ax.plot(t["year"], t["mean"], "k--", marker="s", label="model")
    ax.plot(t["year"], t["observed"], "k-", marker="o", label="observed")
    ax.set_title(charts.unit_label(measure), fontsize=8)
    ax.set_xticks(list(t["year"]))
    ax.set_xlabel("year ending 31 March")
axes[0].legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Reading this for your own authority
#
# - Check the **data rules** table first: large counts of stale open episodes, unknown codes or
#   missing locations say the extract needs attention before its numbers are trusted.
# - The **time in care** curves should lie within the observed bands; a model curve outside
#   them in one age band says that band's pathways are not well described.
# - Capacity comes from the template: replace the York figures (foster households, homes,
#   prices) with your own before appraising options.
# - The backtest is the honest test. An indicator whose observed values keep falling outside
#   the band is one the model should not be trusted to forecast for you.
