"""Refine the placement-ending parameters by simulation, measured with the same ruler.

The direct estimates of `estimate.py` cannot see how the model itself makes placements end: a
bridging placement in an external children's home is recorded like any spot placement (K2 with
a private provider) and ends, planned, when the search finds a place; step-backs, placements
for adoption, moves to supported accommodation and carers leaving all end placements too. So
the observed rates mix the model's own mechanisms with the parameters being estimated.

Instead, simulate the calibrated model over the window's last years (from the census at their
start), measure the simulated 903 history with exactly the estimator that measured the extract,
and correct each kind's parameters by the gap, three times:

- breakdowns (unplanned endings the model makes as breakdowns) per placement-year: the Weibull
  median is scaled by (simulated rate / observed rate)^(1/shape), since a Weibull's rate over a
  fixed period scales as median^-shape;
- children in supported accommodation on 31 March, as a share of those in care (the
  indicators' count): `pathways.supported_move_share` is scaled by observed / simulated, since
  the model also places young people there when searching and the direct estimate cannot tell
  the two apart;
- market offers' location mixes (agency foster care, external homes, supported accommodation):
  each share scaled by observed / simulated share of placements started there, since the model
  takes a far offer less often than a near one and the mix of placements made is not the mix
  of offers;
- kinship availability by age band, scaled by observed / simulated share of first placements
  with kinship carers (siblings share one draw; children with specialist needs skip kinship);
- in-house foster households (and carers' enquiries in proportion), scaled by observed /
  simulated children with in-house carers on 31 March: the capacity comes from the data;
- every route's median time in care, scaled by simulated / observed exits before 18 (the
  log ratio shrunk by its Poisson noise, 1 - (se / gap)^2, so one history's luck is not fitted);

Planned endings per placement-year are recorded (observed and simulated) but not fitted: in 903
they are mostly the model's own moves, and fitting the planned-move rate to the remainder made
the backtest worse, so the template's rate of other care-plan moves is kept.

The simulation starts from the census taken at the start of those years and uses the capacity
of the scenario (the template's, as at the window's end).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from sufficiency_sim import scenario as scenario_module
from sufficiency_sim.calibration.census import census_on, starting_from
from sufficiency_sim.calibration.estimate import estimate
from sufficiency_sim.calibration.prepare import prepare
from sufficiency_sim.calibration.reading import cleaned_without
from sufficiency_sim.experiment.runner import history_frames
from sufficiency_sim.measure.indicators import compute_indicators
from sufficiency_sim.model import simulate

MIN_YEARS = 5.0
"""Placement-years (observed and simulated) below which a kind is left as it is."""


_MARKETS = {"ifa": "ifa", "external_home": "external_homes", "supported": "supported"}
"""Placement kinds (as 903 shows them) whose offers come from a market, and its scenario key."""
MIN_PLACEMENTS = 20


def _diagnostics(extract, template) -> dict[str, pd.DataFrame]:
    return estimate(extract, template).diagnostics


def _rescaled(mix: Mapping[str, float], factors: Mapping[str, float]) -> dict[str, float]:
    """A mix with each share multiplied by its factor (1 when missing), summing to 1 again."""
    scaled = {k: float(v) * factors.get(k, 1.0) for k, v in mix.items()}
    total = sum(scaled.values())
    if total <= 0:
        return dict(mix)
    shares = {k: round(v / total, 4) for k, v in scaled.items()}
    first = next(iter(shares))
    shares[first] = round(1.0 - sum(v for k, v in shares.items() if k != first), 4)
    return shares


def _refine_locations(run: dict, observed: pd.DataFrame, simulated: pd.DataFrame, notes: dict,
                      iteration: int) -> None:  # fmt: skip
    """Market offers' location mixes: the model takes a far offer less often than a near one
    (it prefers a local agency placement, or waits), so the mix of placements made is not the
    mix of offers. Each offer share is scaled by observed / simulated share of placements."""
    for kind, market in _MARKETS.items():
        o = observed[(observed["kind"] == kind)].set_index("location")
        s = simulated[(simulated["kind"] == kind)].set_index("location")
        if o.empty or s.empty or o["n"].max() < MIN_PLACEMENTS or s["n"].max() < MIN_PLACEMENTS:
            continue
        factors = {
            loc: float(o.loc[loc, "share"] / s.loc[loc, "share"])
            for loc in o.index.intersection(s.index)
            if s.loc[loc, "share"] > 0 and o.loc[loc, "share"] > 0
        }
        if not factors:
            continue
        key = f"provision.{market}.location_mix"
        section = dict(run["provision"][market])
        section["location_mix"] = _rescaled(section["location_mix"], factors)
        run["provision"] = {**run["provision"], market: section}
        notes[key] = (
            f"refined by simulation: {kind} placements started in the last years by location, "
            + ", ".join(
                f"{loc} {o.loc[loc, 'share']:.0%} observed / {s.loc[loc, 'share']:.0%} simulated"
                for loc in factors
            )
            + f" (iteration {iteration}); the offers' shares scaled by their ratio"
        )


def _refine_kinship(run: dict, observed: pd.DataFrame, simulated: pd.DataFrame, notes: dict,
                    iteration: int) -> None:  # fmt: skip
    """Kinship availability by age band, scaled by the observed / simulated share of first
    placements with kinship carers (siblings share one draw, specialist needs skip kinship)."""
    available = dict(run["provision"]["kinship"]["available_by_age"])
    changed = []
    for band in available:
        o = observed[(observed["age_band"] == band) & (observed["kind"] == "kinship")]
        s = simulated[(simulated["age_band"] == band) & (simulated["kind"] == "kinship")]
        if o.empty or s.empty or float(s["share"].iloc[0]) <= 0:
            continue
        if min(int(o["n"].iloc[0]), int(s["n"].iloc[0])) < MIN_PLACEMENTS:
            continue
        ratio = float(o["share"].iloc[0]) / float(s["share"].iloc[0])
        available[band] = round(min(1.0, float(available[band]) * ratio), 4)
        changed.append(f"{band} {float(o['share'].iloc[0]):.0%}/{float(s['share'].iloc[0]):.0%}")
    if changed:
        kinship = {**run["provision"]["kinship"], "available_by_age": available}
        run["provision"] = {**run["provision"], "kinship": kinship}
        notes["provision.kinship.available_by_age"] = (
            "refined by simulation: first placements with kinship carers, observed/simulated by "
            f"age band {', '.join(changed)} (iteration {iteration}); availability scaled by "
            "their ratio"
        )


def _refine_households(run: dict, observed: pd.DataFrame, simulated: pd.DataFrame,
                       replications: int, notes: dict, iteration: int) -> None:  # fmt: skip
    """In-house households (and enquiries, so recruitment keeps pace) scaled by observed /
    simulated children with in-house foster carers on 31 March, pooled over the years: the
    template's pool rarely matches the authority's, and the census start only fills it."""
    o = float(observed["inhouse_foster"].sum())
    s = float(simulated["inhouse_foster"].sum()) / replications  # the observed is one history
    if min(o, s) < MIN_PLACEMENTS:
        return
    inhouse = run["provision"]["inhouse_foster"]
    households = int(inhouse["households"])
    factor = min(1.5, max(2 / 3, o / s))
    if abs(factor - 1.0) < 0.03:
        return
    new = max(1, round(households * factor))
    enquiries = round(float(run["carers"]["enquiries_per_year"]) * new / households, 1)
    run["provision"] = {**run["provision"], "inhouse_foster": {**inhouse, "households": new}}
    run["carers"] = {**run["carers"], "enquiries_per_year": enquiries}
    note = (
        f"refined by simulation: children with in-house foster carers on 31 March observed "
        f"{o:.0f}, simulated {s:.0f} (pooled over the years, iteration {iteration}); "
        f"households and enquiries scaled by {new / households:.2f}"
    )
    notes["provision.inhouse_foster.households"] = note
    notes["carers.enquiries_per_year"] = note


def _exits_before_18(periods: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> int:
    """Periods ending between `start` and `end` by a route other than reaching 18."""
    ended = periods["end"].notna() & (periods["end"] >= start) & (periods["end"] <= end)
    route = periods["route"].astype("object")
    return int((ended & route.notna() & (route != "at18")).sum())


def _refine_durations(run: dict, observed: int, simulated: float, replications: int, years: int,
                      notes: dict, iteration: int) -> None:  # fmt: skip
    """Every route's median time in care scaled by simulated / observed exits before 18 over
    the last years: the direct fit sees each period once, the simulation sees the children
    in care at the census leave as the model makes them (conditioned on their time so far)."""
    if min(observed, simulated) < MIN_PLACEMENTS:
        return
    # The observed count is one history's: shrink the correction by its Poisson noise
    # (positive-part James-Stein on the log ratio), so a small authority's luck is not fitted.
    gap = math.log(simulated / observed)
    se = math.sqrt(1.0 / observed + 1.0 / (simulated * replications))
    kept = max(0.0, 1.0 - (se / gap) ** 2) if gap else 0.0
    factor = min(1.3, max(1 / 1.3, math.exp(gap * kept)))
    if abs(factor - 1.0) < 0.02:
        return
    durations = {
        route: {**d, "median_days": max(1.0, round(float(d["median_days"]) * factor, 1))}
        for route, d in run["pathways"]["durations"].items()
    }
    run["pathways"] = {**run["pathways"], "durations": durations}
    for route in durations:
        notes[f"pathways.durations.{route}"] = (
            f"fitted jointly with the route mix, then refined by simulation: exits before 18 in "
            f"the last {years} year(s) observed {observed}, simulated {simulated:.1f} (iteration "
            f"{iteration}); every route's median scaled by {factor:.2f} (the gap shrunk by its "
            f"noise to {100 * kept:.0f}%)"
        )


def _supported_share(table: pd.DataFrame) -> float:
    """Children in supported accommodation on 31 March as a share of those in care, pooled
    over the years of `table` (the indicators' own count)."""
    total = float(table["cla_31_march"].sum())
    return float(table["supported"].sum()) / total if total > 0 else 0.0


def _refine_medians(
    run: dict,
    observed: pd.DataFrame,
    simulated: pd.DataFrame,
    shape: float,
    years: int,
    notes: dict,
    iteration: int,
) -> list[dict[str, Any]]:
    """Scale each kind's ending median by its simulated / observed breakdown rate; return the
    rates compared (one row per kind)."""
    history = []
    medians = dict(run["endings"]["median_days"])
    for kind in observed.index:
        if kind not in simulated.index or kind == "other":
            continue
        o, s = observed.loc[kind], simulated.loc[kind]
        if min(o["placement_years"], s["placement_years"]) < MIN_YEARS:
            continue
        o_rate = o["breakdowns"] / o["placement_years"]
        s_rate = s["breakdowns"] / s["placement_years"]
        o_planned = o["planned"] / o["placement_years"]
        s_planned = s["planned"] / s["placement_years"]
        history.append(
            {
                "iteration": iteration,
                "kind": kind,
                "observed_breakdowns_per_year": o_rate,
                "simulated_breakdowns_per_year": s_rate,
                "observed_planned_per_year": o_planned,
                "simulated_planned_per_year": s_planned,
            }
        )
        if kind in medians and o["breakdowns"] >= 5 and s["breakdowns"] >= 5:
            factor = (s_rate / o_rate) ** (1.0 / shape)
            factor = min(4.0, max(0.25, factor))
            medians[kind] = max(1.0, round(medians[kind] * factor, 0))
            notes[f"endings.median_days.{kind}"] = (
                f"refined by simulation: breakdowns per placement-year in the last {years} "
                f"year(s) observed {o_rate:.3f}, simulated {s_rate:.3f} (iteration "
                f"{iteration}); median scaled by {factor:.2f}"
            )
    run["endings"] = {**run["endings"], "median_days": medians}
    return history


def _refine_supported(
    run: dict,
    observed_supported: float,
    simulated_table: pd.DataFrame,
    years: int,
    notes: dict,
    iteration: int,
) -> None:
    """Scale the supported-move share by the observed / simulated share in supported care."""
    simulated_supported = _supported_share(simulated_table)
    share = float(run["pathways"]["supported_move_share"])
    if observed_supported > 0 and simulated_supported > 0 and share > 0:
        new_share = min(1.0, round(share * observed_supported / simulated_supported, 4))
        run["pathways"] = {**run["pathways"], "supported_move_share": new_share}
        notes["pathways.supported_move_share"] = (
            f"refined by simulation: children in supported accommodation on 31 March, "
            f"{observed_supported:.1%} of those in care observed and "
            f"{simulated_supported:.1%} simulated in the last {years} year(s) (iteration "
            f"{iteration}); the share scaled by their ratio"
        )


def simulated_extract(
    data: Mapping[str, Any], replications: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The 903 episodes and header of `replications` runs of a scenario (raw data), one
    extract with each replication's children kept apart."""
    sc = scenario_module.validate(dict(data), "<refinement>")
    episodes, headers = [], []
    for replication in range(replications):
        frames = history_frames(simulate(sc, seed, replication))
        prefix = f"R{replication}_"
        episodes.append(frames["episodes"].assign(CHILD=prefix + frames["episodes"]["CHILD"]))
        headers.append(frames["header"].assign(CHILD=prefix + frames["header"]["CHILD"]))
    return pd.concat(episodes, ignore_index=True), pd.concat(headers, ignore_index=True)


def refine_endings(
    data: dict,
    episodes: pd.DataFrame,
    header: pd.DataFrame,
    window_end: pd.Timestamp,
    *,
    years: int,
    uasc: pd.DataFrame | None = None,
    exclude_uasc: bool = False,
    iterations: int = 3,
    seed: int = 903,
    target_placement_years: float = 2000.0,
) -> tuple[dict, dict[str, str], pd.DataFrame]:
    """Correct `data`'s ending medians, supported-move share, market location mixes and
    kinship availability so that the simulated window's last `years` years, measured like the
    extract, match it. Returns the new data, a note per key changed, and the observed and
    simulated ending rates of each iteration."""
    end = pd.Timestamp(window_end)
    census_day = pd.Timestamp(end.year - years, 3, 31)
    sub_start = census_day + pd.Timedelta(days=1)
    observed_extract = prepare(episodes, header, sub_start, end, uasc, exclude_uasc)
    observed_diag = _diagnostics(observed_extract, data)
    observed = observed_diag["endings"].set_index("kind")
    report_years = list(range(sub_start.year + 1, end.year + 1))
    observed_table = compute_indicators(
        *cleaned_without(episodes, header, uasc, exclude_uasc), report_years
    )
    observed_supported = _supported_share(observed_table)
    census = census_on(episodes, header, census_day, uasc, exclude_uasc)
    run = starting_from(data, census, sub_start, years=years)
    shape = float(data["endings"]["weibull_shape"])
    observed_years = float(observed["placement_years"].sum())
    replications = max(1, min(8, math.ceil(target_placement_years / max(observed_years, 1.0))))
    history = []
    notes: dict[str, str] = {}
    for iteration in range(1, iterations + 1):
        sim_episodes, sim_header = simulated_extract(run, replications, seed)
        sim_prepared = prepare(sim_episodes, sim_header, sub_start, end)
        simulated_diag = _diagnostics(sim_prepared, data)
        simulated = simulated_diag["endings"].set_index("kind")
        _refine_locations(run, observed_diag["locations"], simulated_diag["locations"], notes,
                          iteration)  # fmt: skip
        _refine_kinship(run, observed_diag["first_placement"], simulated_diag["first_placement"],
                        notes, iteration)  # fmt: skip
        history += _refine_medians(run, observed, simulated, shape, years, notes, iteration)
        _refine_durations(
            run,
            _exits_before_18(observed_extract.periods, sub_start, end),
            _exits_before_18(sim_prepared.periods, sub_start, end) / replications,
            replications,
            years,
            notes,
            iteration,
        )
        simulated_table = compute_indicators(sim_episodes, sim_header, report_years)
        _refine_households(run, observed_table, simulated_table, replications, notes, iteration)
        _refine_supported(run, observed_supported, simulated_table, years, notes, iteration)
    refined = {**data, **{k: run[k] for k in ("endings", "pathways", "provision", "carers")}}
    return refined, notes, pd.DataFrame(history)
