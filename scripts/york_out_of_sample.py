"""Out-of-sample validation for York (issue 11, part 6): start the York baseline from a census
of 31 March 2019 built from York's published figures, impose York's published starts year by
year, and set the model's mean and 95% band over replications beside York's published series
for 2019-20 to 2023-24.

    python scripts/york_out_of_sample.py [--replications 50] [--seed 2019] [--jobs 2]
                                         [--out results/york_oos/cells.csv]

Prints a markdown table (York's figure, the model's mean and 95% band, in or out) and the years
inside the band per series; writes every year x series cell to `--out`, the census beside it.
The band: 2.5% to 97.5% quantiles over replications (`calibration.backtest.prediction_bands`);
a published range (say 14-15) is inside when it overlaps the band.

Every published input is in `york_out_of_sample_inputs.yaml` beside this script with its source
line in `shared/reference/domain-figures.md` (§ = section) or `york_series.csv`; what is not
published is a named assumption (A1-A11) in the same file.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sufficiency_sim.calibration.backtest import prediction_bands
from sufficiency_sim.experiment.executors import make_executor
from sufficiency_sim.experiment.runner import ReplicationResult, Task, history_frames
from sufficiency_sim.experiment.runner import measure as measure_replication
from sufficiency_sim.files import atomic
from sufficiency_sim.measure.indicators import placements_from_episodes
from sufficiency_sim.model import simulate
from sufficiency_sim.scenario import Scenario, load_raw, validate
from sufficiency_sim.scenario.census import (
    CENSUS_COLUMNS,
    CENSUS_PLACEMENTS,
    resolve_census,
    write_census,
)
from sufficiency_sim.tables import markdown_table
from sufficiency_sim.vocabulary import AGE_BAND_RANGES, AGE_BANDS, DAYS_PER_MONTH

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "york_baseline.yaml"
YORK_SERIES = ROOT.parent / "shared" / "reference" / "york_series.csv"
BANDS, KINDS = AGE_BANDS, CENSUS_PLACEMENTS

INPUTS_FILE = Path(__file__).with_name("york_out_of_sample_inputs.yaml")
INPUTS = yaml.safe_load(INPUTS_FILE.read_text(encoding="utf-8"))
PUBLISHED = {key: item["value"] for key, item in INPUTS["published"].items()}
"""York's published figures of 31 March 2019, each with its source in INPUTS_FILE."""
ASSUMPTIONS = {key: item["value"] for key, item in INPUTS["assumptions"].items()}
"""England's shares and named assumptions (A1-A11) where York publishes nothing."""

YORK_STARTS: dict[int, int] = {2020: 112, 2021: 85, 2022: 62, 2023: 62, 2024: 61}
"""york_series.csv, `starts` by the year of 31 March."""

SERIES: dict[str, tuple[str, str | None]] = {
    "cla_31_march": ("Children in care at 31 March", "cla_31mar"),
    "starts": ("Starts (imposed)", "starts"),
    "ceased": ("Ceased", "ceased"),
    "pct_out_of_area": ("Placed outside the LA (%)", "placed_outside_LA_pct"),
    "pct_3plus_placements": ("Three or more placements (%)", "three_plus_placements_pct"),
    "pct_long_term_stable": ("Long-term stability (%)", "long_term_stability_pct"),
    "placements_started": ("Placements started", "new_placements_in_year"),
    "pct_new_placements_far": (
        "New placements outside the LA, over 20 miles (%)",
        "new_placements_outside_gt20mi_pct",
    ),
    "all_foster": ("All foster placements at 31 March", None),
}
"""Model measure: (label, york_series.csv column)."""
GOAL_SERIES = tuple(m for m in SERIES if m not in ("starts", "all_foster"))
"""The seven series of the issue's goal (starts are imposed; the foster count is one year)."""
EXTRA_OBSERVED = {("all_foster", 2021): "184"}
"""§2 "All foster placements", York: 184 (2021, press: York Press 30 May 2022; S)."""


def largest_remainder(shares: Mapping[str, float], total: int) -> dict[str, int]:
    """Whole counts adding to `total`, as near the shares as rounding allows."""
    raw = {k: v * total / sum(shares.values()) for k, v in shares.items()}
    counts = {k: int(np.floor(v)) for k, v in raw.items()}
    order = sorted(raw, key=lambda k: raw[k] - counts[k], reverse=True)
    for key in order[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def placement_counts() -> dict[str, int]:
    """Children by the model's placement kinds on 31 March 2019 (PUBLISHED, A1-A5)."""
    n, a = int(PUBLISHED["children"]), ASSUMPTIONS
    kinship = round(n * float(a["kinship_share"]))
    inhouse = int(PUBLISHED["inhouse_with_kinship"]) - kinship
    ifa = int(PUBLISHED["foster"]) - int(PUBLISHED["inhouse_with_kinship"])
    homes = int(PUBLISHED["homes_and_semi_independent"])
    supported = round(homes * float(a["supported_share_of_homes"]))
    adoption = round(n * float(a["adoption_share"]))
    local = int(a["local_home"])
    counts = {
        "kinship": kinship,
        "inhouse_foster": inhouse,
        "ifa": ifa,
        "local_home": local,
        "supported": supported,
        "placed_with_parents": int(PUBLISHED["placed_with_parents"]),
        "adoption": adoption,
    }
    counts["external_home"] = n - sum(counts.values())  # homes - local - supported, and A5
    return {k: counts[k] for k in KINDS}


def location_counts() -> dict[str, int]:
    """Children inside the boundary, outside within 20 miles, and further (PUBLISHED)."""
    n, outside = int(PUBLISHED["children"]), int(PUBLISHED["outside"])
    far = round(n * float(PUBLISHED["far_share"]))
    return {"in": n - outside, "near": outside - far, "far": far}


def rake(seed: np.ndarray, rows: np.ndarray, cols: np.ndarray, sweeps: int = 200) -> np.ndarray:
    """Iterative proportional fitting of `seed` to row and column totals (zeros stay zero)."""
    table = seed.astype(float).copy()
    for _ in range(sweeps):
        table *= (rows / np.maximum(table.sum(axis=1), 1e-12))[:, None]
        table *= (cols / np.maximum(table.sum(axis=0), 1e-12))[None, :]
    return table


def round_table(table: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Whole numbers with the exact row and column totals: each row by largest remainder, then
    single units moved within a row from a column over its total to one under it, where the
    fitted table is furthest above the rounded one (allowed cells only)."""
    whole = np.floor(table).astype(int)
    for r in range(len(rows)):
        short = int(rows[r]) - whole[r].sum()
        if short > 0:
            whole[r, np.argsort(whole[r] - table[r])[:short]] += 1
    for _ in range(int(rows.sum())):
        gap = whole.sum(axis=0) - cols
        if not gap.any():
            return whole
        over, under = int(np.argmax(gap)), int(np.argmin(gap))
        gain = (table[:, under] - whole[:, under]) - (table[:, over] - whole[:, over])
        gain[(whole[:, over] <= 0) | (table[:, under] <= 0)] = -np.inf
        row = int(np.argmax(gain))
        whole[row, over] -= 1
        whole[row, under] += 1
    raise ValueError("the margins cannot be met on the allowed cells")


def joint(seed: np.ndarray, rows: Mapping[str, int], cols: Mapping[str, int]) -> np.ndarray:
    """The whole-number table of `seed` raked to the margins `rows` and `cols`."""
    r = np.array(list(rows.values()), dtype=float)
    c = np.array(list(cols.values()), dtype=float)
    return round_table(rake(seed, r, c), r, c)


AGE_SEED = np.array(
    [
        [1, 1, 1, 1, 1],  # kinship
        [1, 1, 1, 1, 1],  # inhouse_foster
        [1, 1, 1, 1, 1],  # ifa
        [0, 0, 0, 1, 1],  # local_home (ages 11-17)
        [0, 0, 0.2, 1, 1],  # external_home
        [0, 0, 0, 0, 1],  # supported (16-17)
        [1, 1, 1, 1, 1],  # placed_with_parents
        [1, 1, 0, 0, 0],  # adoption
    ]
)
"""A9: which placements children of each age band can be in, and how readily."""


def location_seed(scenario: Mapping) -> np.ndarray:
    """A9: each kind's location mix in the baseline (the council home is in the city)."""
    provision = scenario["provision"]
    names = {kind: kind for kind in KINDS} | {"external_home": "external_homes"}
    mixes = {k: provision[names[k]]["location_mix"] for k in KINDS if k != "local_home"}
    mixes["local_home"] = {"in": 1.0, "near": 0.0, "far": 0.0}
    return np.array([[mixes[k][loc] for loc in ("in", "near", "far")] for k in KINDS])


def stationary_days(rng: np.random.Generator, cap: int) -> int:
    """A7: days in care drawn from the stationary elapsed time of England's exit durations
    (density proportional to the share still in care), cut at `cap`."""
    edges = np.array(ASSUMPTIONS["exit_band_days"], dtype=float)
    survival = 1 - np.concatenate([[0.0], np.cumsum(ASSUMPTIONS["exit_band_shares"])])
    days = np.arange(1, max(1, cap) + 1)
    weights = np.clip(np.interp(days, edges, survival), 0, None) + 1e-12
    return int(rng.choice(days, p=weights / weights.sum()))


def _children_by_kind_and_age(scenario: Mapping) -> list[dict]:
    """One record per child with placement, age band and location (A9, A10)."""
    kinds = placement_counts()
    ages = largest_remainder(PUBLISHED["age_mix"], int(PUBLISHED["children"]))
    by_age = joint(AGE_SEED, kinds, ages)
    by_location = joint(location_seed(scenario), kinds, location_counts())
    children = []
    for k, kind in enumerate(KINDS):
        locations = np.repeat(["in", "near", "far"], by_location[k])
        bands = np.repeat(BANDS, by_age[k])
        for band, location in zip(bands, locations, strict=True):
            children.append({"placement": kind, "band": str(band), "location": str(location)})
    return children


def _assign_ages(children: list[dict], rng: np.random.Generator) -> None:
    """A10: years spread evenly over each band (in turn within a band), months uniform."""
    seen: dict[str, int] = {}
    for child in children:
        low, high = AGE_BAND_RANGES[child["band"]]
        turn = seen.get(child["band"], 0)
        seen[child["band"]] = turn + 1
        child["age_years"] = low + turn % (high - low + 1)
        child["age_months"] = int(rng.integers(0, 12))


def _assign_legal(children: list[dict]) -> None:
    """Legal status to the published mix: placement orders first to children placed for
    adoption, then to the youngest foster children; no section 20 with parents or for
    adoption; section 20 and interim orders spread evenly over ages; care orders the rest."""
    counts = largest_remainder(PUBLISHED["legal_mix"], len(children))
    order = sorted(range(len(children)), key=lambda i: children[i]["age_years"])
    free = [i for i in order if children[i]["placement"] == "adoption"]
    free += [i for i in order if children[i]["placement"] in ("kinship", "inhouse_foster", "ifa")]
    for i in free[: counts["E1"]]:
        children[i]["legal_status"] = "E1"
    for status in ("V2", "C1"):
        pool = [
            i
            for i in order
            if "legal_status" not in children[i]
            and children[i]["placement"] not in ("placed_with_parents", "adoption")
        ]
        step = len(pool) / counts[status]
        for j in range(counts[status]):
            children[pool[int(j * step)]]["legal_status"] = status
    for child in children:
        child.setdefault("legal_status", "C2")


def _assign_days(children: list[dict], rng: np.random.Generator) -> None:
    """A7 and A8, with exactly York's 57% of the long-term-stability cohort (under 16, in care
    2.5 years or more) in their placement for two years or more."""
    for child in children:
        life = int((12 * child["age_years"] + child["age_months"]) * DAYS_PER_MONTH)
        cap = life if child["legal_status"] != "C1" else min(life, ASSUMPTIONS["ico_max_days"])
        child["days_in_care"] = stationary_days(rng, cap)
    cohort = [c for c in children if c["age_years"] < 16 and c["days_in_care"] >= 920]
    stable = round(float(PUBLISHED["long_term_stable_share"]) * len(cohort))
    for index, child in enumerate(cohort):
        days = child["days_in_care"]
        low, high = (740, days) if index < stable else (1, 720)
        child["placement_days"] = int(rng.integers(low, high + 1))
    for child in children:
        if "placement_days" not in child:
            days = child["days_in_care"]
            first = rng.random() < float(ASSUMPTIONS["first_placement_share"])
            child["placement_days"] = days if first else int(rng.integers(1, days + 1))


def build_census(seed: int = 2019) -> pd.DataFrame:
    """The census of 31 March 2019 from York's published figures and the named assumptions:
    one row per child in the columns of a census file, no identifier or date of birth."""
    rng = np.random.default_rng(seed)
    scenario = load_raw(BASELINE)
    children = _children_by_kind_and_age(scenario)
    _assign_ages(children, rng)
    _assign_legal(children)
    _assign_days(children, rng)
    sex = largest_remainder(
        {"1": float(ASSUMPTIONS["male_share"]), "2": 1 - float(ASSUMPTIONS["male_share"])},
        len(children),
    )
    codes = np.repeat([1, 2], [sex["1"], sex["2"]])
    for child, code in zip(children, rng.permutation(codes), strict=True):
        child["sex"] = int(code)
    frame = pd.DataFrame(children)
    frame["band"] = pd.Categorical(frame["band"], categories=BANDS)
    return frame.sort_values(list(CENSUS_COLUMNS), kind="mergesort").reset_index(drop=True)


def yearly_entries(
    starts: Mapping[int, int], age_mix: Mapping[str, float]
) -> tuple[float, list[dict]]:
    """`entries.rate_per_year` and `entries.surges` that make the expected entries of each
    collection year (ending 31 March) York's published starts: the lowest year's figure as the
    regular rate and, for each year above it, one surge per age band (A11)."""
    base = float(min(starts.values()))
    surges = []
    for year, count in sorted(starts.items()):
        extra = count - base
        for band, share in age_mix.items():
            if extra * share <= 0:
                continue
            surges.append(
                {
                    "name": f"york_starts_{year - 1}_{band}",
                    "start": dt.date(year - 1, 4, 1),
                    "end": dt.date(year, 4, 1),
                    "rate_per_year": extra * share,
                    "age_band": band,
                }
            )
    return base, surges


def out_of_sample_scenario(census_file: Path) -> Scenario:
    """The York baseline from the census in `census_file`, 1 April 2019 for five years, with
    York's published starts imposed year by year."""
    data = load_raw(BASELINE)
    rate, surges = yearly_entries(YORK_STARTS, data["entries"]["age_mix"])
    data["name"] = "York out of sample"
    data["start_date"] = dt.date(2019, 4, 1)
    data["horizon_years"] = len(YORK_STARTS)
    data["census"] = str(Path(census_file).resolve())
    data["entries"] = {**data["entries"], "rate_per_year": rate, "surges": surges}
    data = resolve_census(data, [(BASELINE, data)])
    return validate(data, str(BASELINE))


def new_placements_far(episodes: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """Per year: of the placements started in the year, the percentage whose first episode is
    outside the LA (PL_LOCATION OUT) and over 20 miles from home (DfE new placements)."""
    placements = placements_from_episodes(episodes)
    first = episodes[["CHILD", "DECOM", "PL_LOCATION", "PL_DISTANCE"]].drop_duplicates(
        ["CHILD", "DECOM"], keep="last"
    )
    merged = placements.merge(
        first, left_on=["CHILD", "start"], right_on=["CHILD", "DECOM"], how="left"
    )
    far = merged["PL_LOCATION"].astype("string").str.upper().eq("OUT").fillna(False)
    far &= pd.to_numeric(merged["PL_DISTANCE"], errors="coerce").gt(20).to_numpy()
    rows = []
    for year in years:
        started = merged["start"].between(pd.Timestamp(year - 1, 4, 1), pd.Timestamp(year, 3, 31))
        n = int(started.sum())
        pct = 100 * float(far[started].sum()) / n if n else float("nan")
        rows.append({"year": int(year), "pct_new_placements_far": pct})
    return pd.DataFrame(rows)


def run_task(task: Task) -> tuple[str, ReplicationResult]:
    """One replication measured as `experiment.runner.run_replication` measures it, plus the
    new placements over 20 miles and all foster placements (needs the episodes)."""
    history = simulate(task.scenario, task.seed, task.replication)
    frames = history_frames(history)
    years = list(task.scenario.report_years)
    results = measure_replication(frames, task.scenario).merge(
        new_placements_far(frames["episodes"], years), on="year"
    )
    results["all_foster"] = results[["kinship_foster", "inhouse_foster", "ifa_foster"]].sum(axis=1)
    results.insert(0, "replication", task.replication)
    return task.key, ReplicationResult(task.replication, results, dict(history.stats))


def run_replications(scenario: Scenario, replications: int, seed: int, jobs: int) -> pd.DataFrame:
    """Every replication's yearly results, in replication order."""
    tasks = [Task("oos", scenario, seed, r) for r in range(replications)]
    parts = {
        r.replication: r.results for _, r in make_executor(jobs).map_unordered(run_task, tasks)
    }
    return pd.concat([parts[r] for r in sorted(parts)], ignore_index=True)


def _range(text: str) -> tuple[float, float]:
    """A published figure as (low, high): "14-15" -> (14, 15), "57" -> (57, 57)."""
    low, _, high = text.partition("-")
    return float(low), float(high or low)


def york_observed(path: Path = YORK_SERIES) -> pd.DataFrame:
    """York's published value of each series and year (tidy: year, measure, observed, low,
    high), from york_series.csv (its first line is a comment) and EXTRA_OBSERVED."""
    lines = path.read_text(encoding="utf-8").splitlines()
    table = list(csv.DictReader(io.StringIO("\n".join(lines[1:]))))
    rows = []
    for record in table:
        year = int(record["year"])
        for measure, (_, column) in SERIES.items():
            text = (record.get(column) or "").strip() if column else ""
            text = text or EXTRA_OBSERVED.get((measure, year), "")
            if year in YORK_STARTS and text:
                low, high = _range(text)
                rows.append(
                    {"year": year, "measure": measure, "observed": text, "low": low, "high": high}
                )
    return pd.DataFrame(rows)


def compare(results: pd.DataFrame, observed: pd.DataFrame) -> pd.DataFrame:
    """Every year x series cell: York's figure, the model's mean and 95% band, and whether the
    published figure (or range) lies in the band."""
    bands = prediction_bands(results, list(SERIES))
    cells = bands.merge(observed, on=["year", "measure"], how="left")
    inside = (cells["high"] >= cells["lower"]) & (cells["low"] <= cells["upper"])
    cells["inside"] = inside.astype(object).where(cells["observed"].notna(), None)
    cells["series"] = cells["measure"].map({m: label for m, (label, _) in SERIES.items()})
    cells["goal_series"] = cells["measure"].isin(GOAL_SERIES)
    order = {m: i for i, m in enumerate(SERIES)}
    cells = cells.sort_values(["measure", "year"], key=lambda s: s.map(order).fillna(s))
    columns = ["measure", "series", "year", "observed", "low", "high", "mean", "lower", "upper"]
    return cells[[*columns, "inside", "goal_series", "replications"]].reset_index(drop=True)


def years_inside(cells: pd.DataFrame) -> pd.DataFrame:
    """Per series: years with a published figure, and of those the years inside the band."""
    known = cells[cells["observed"].notna()]
    counts = known.groupby("measure", sort=False).agg(
        years=("year", "size"), inside=("inside", "sum")
    )
    counts["series"] = [SERIES[m][0] for m in counts.index]
    counts["goal_series"] = counts.index.isin(GOAL_SERIES)
    return counts.reset_index()


def goal_summary(cells: pd.DataFrame, counts: pd.DataFrame, series: int = 4, years: int = 3):
    """The issue's goal, read both ways: at least `series` of the goal series each inside in at
    least `years` years; and at least `years` years each with `series` goal series inside.
    Returns (met by series, met by year, the sentence that says so)."""
    by_series = int((counts[counts["goal_series"]]["inside"] >= years).sum())
    goal = cells[cells["goal_series"] & cells["observed"].notna()]
    per_year = goal.groupby("year")["inside"].sum().astype(int)
    by_year = int((per_year >= series).sum())
    text = (
        f"Goal series inside the band in at least {years} of {len(per_year)} years: {by_series} "
        f"of {len(GOAL_SERIES)} (goal {series}: {'met' if by_series >= series else 'not met'}). "
        f"Goal series inside by year: {', '.join(str(n) for n in per_year)}; years with at least "
        f"{series}: {by_year} (goal {years}: {'met' if by_year >= years else 'not met'})."
    )
    return by_series >= series, by_year >= years, text


def _cell(row: pd.Series) -> str:
    """One table cell: York's figure, the model's mean and band, in or out."""
    band = f"{row['mean']:.1f} [{row['lower']:.1f}, {row['upper']:.1f}]"
    if pd.isna(row["observed"]):
        return f"- / {band}"
    return f"{row['observed']} / {band} {'in' if row['inside'] else 'OUT'}"


def format_tables(cells: pd.DataFrame, counts: pd.DataFrame) -> str:
    """The markdown table (series x year) and the per-series counts of years inside."""
    years = sorted(cells["year"].unique())
    header = ["Series", *[f"{y - 1}-{str(y)[2:]}" for y in years]]
    rows = []
    for measure, group in cells.groupby("measure", sort=False):
        by_year = {int(r["year"]): _cell(r) for _, r in group.iterrows()}
        rows.append([SERIES[measure][0], *[by_year.get(int(y), "") for y in years]])
    count_rows = [
        [r.series, f"{int(r.inside)} of {int(r.years)}", "yes" if r.goal_series else "no"]
        for r in counts.itertuples()
    ]
    return "\n".join(
        [
            "Each cell: York published / model mean [95% band] over replications, in or OUT.",
            "",
            markdown_table(header, rows),
            "",
            markdown_table(["Series", "Years inside the band", "In the goal"], count_rows),
            "",
            goal_summary(cells, counts)[2],
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Build the census, run the replications, print the tables and write the cells."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--jobs", type=int, default=0, help="worker processes (0: one per core)")
    parser.add_argument("--out", type=Path, default=Path("results/york_oos/cells.csv"))
    args = parser.parse_args(argv)
    census = build_census()
    census_file = args.out.parent / "york_census_2019.csv"
    write_census(census[list(CENSUS_COLUMNS)].to_dict("records"), census_file)
    scenario = out_of_sample_scenario(census_file)
    results = run_replications(scenario, args.replications, args.seed, args.jobs)
    cells = compare(results, york_observed())
    counts = years_inside(cells)
    atomic.write_csv(args.out, cells)
    print(format_tables(cells, counts))
    print(f"\nWrote {args.out} ({len(cells)} cells) and {census_file}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
