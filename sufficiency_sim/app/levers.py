"""The logic of the local app, without Streamlit: the main levers of an option, applied to a
baseline's resolved scenario data; running the baseline and the option on common random
numbers; and the outputs a commissioner takes away (the option as a scenario YAML that the CLI
runs unchanged, and the HTML report)."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sufficiency_sim import scenario as scenario_module


@dataclass
class Levers:
    """The main levers of an option. None (or 0 extra) leaves the baseline's value."""

    name: str = "My option"
    new_home_beds: int = 0
    new_home_opens: dt.date | None = None
    new_home_weekly_cost_per_bed: float = 5000.0
    households: int | None = None
    campaign_extra_enquiries: float = 0.0
    campaign_start: dt.date | None = None
    campaign_end: dt.date | None = None
    retention_multiplier: float = 1.0
    retention_start: dt.date | None = None
    emergency_households: int | None = None
    entries_per_year: float | None = None


def york_baseline_file() -> Path:
    """The York baseline installed with the package."""
    from sufficiency_sim.scenario.load import packaged_york_baseline

    return packaged_york_baseline()


def apply_levers(base: dict, levers: Levers) -> dict:
    """The option's resolved scenario data: `base` (resolved data of the baseline) with the
    levers applied. Raises InputError (via scenario validation) when a value is impossible."""
    data = copy.deepcopy(base)
    data["name"] = levers.name
    data["description"] = f"{levers.name}: made in the sufficiency-sim app from {base['name']}."
    start = dt.date.fromisoformat(str(base["start_date"]))
    provision = data["provision"]
    if levers.new_home_beds > 0:
        homes = list(provision.get("local_homes") or [])
        opens = levers.new_home_opens or start
        homes.append(
            {
                "name": f"New local home ({levers.name})",
                "beds": int(levers.new_home_beds),
                "opens": opens.isoformat(),
                "min_age": 9,
                "max_age": 17,
                "admits": ["complex", "specialist"],
                "max_high_need": 1,
                "provider": "PR1",
                "location": "in",
                "weekly_cost_per_bed": float(levers.new_home_weekly_cost_per_bed),
            }
        )
        provision["local_homes"] = homes
    foster = provision["inhouse_foster"]
    if levers.households is not None:
        foster["households"] = int(levers.households)
    if levers.emergency_households is not None:
        foster["emergency_households"] = int(levers.emergency_households)
    carers = data["carers"]
    if levers.campaign_extra_enquiries > 0:
        campaign = {
            "name": f"Campaign ({levers.name})",
            "start": (levers.campaign_start or start).isoformat(),
            "extra_enquiries_per_year": float(levers.campaign_extra_enquiries),
        }
        if levers.campaign_end is not None:
            campaign["end"] = levers.campaign_end.isoformat()
        carers["campaigns"] = [*(carers.get("campaigns") or []), campaign]
    if levers.retention_multiplier != 1.0:
        change = {
            "start": (levers.retention_start or start).isoformat(),
            "deregistration_multiplier": float(levers.retention_multiplier),
        }
        carers["retention"] = [*(carers.get("retention") or []), change]
    if levers.entries_per_year is not None:
        data["entries"]["rate_per_year"] = float(levers.entries_per_year)
    scenario_module.validate(data, f"option {levers.name!r}")
    return data


def scenario_yaml(data: dict) -> str:
    """A self-contained scenario file (every value written out, no `extends`) that
    `sufficiency-sim run` and `compare` read unchanged."""
    header = (
        "# Made by the sufficiency-sim app. Every value is written out, so the file runs as it "
        "is:\n#   sufficiency-sim run THIS_FILE.yaml\n"
    )
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def load_baseline(path: str | Path) -> dict:
    """The resolved data of a scenario file on this machine (the York baseline or a
    calibrated one)."""
    return scenario_module.to_jsonable(scenario_module.load(path))


@dataclass
class AppRun:
    """A finished run of the app: its results and appraisal, and the data to report them."""

    results: pd.DataFrame
    appraisal: Any
    resolved: dict[str, dict]
    seed: int
    wall_seconds: float


def run_option(
    base: dict,
    option: dict,
    replications: int,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
    jobs: int = 1,
) -> AppRun:
    """Run the baseline and the option on the same replications (common random numbers) and
    appraise the option; `progress(done, total)` is called as replications finish."""
    from sufficiency_sim.appraisal.statistics import appraise
    from sufficiency_sim.experiment.runner import run_experiment

    named = {
        base["name"]: scenario_module.validate(base, "baseline"),
        option["name"]: scenario_module.validate(option, "option"),
    }
    total = replications * len(named)
    done = [0]

    def tick(step: int) -> None:
        done[0] += step
        if progress is not None:
            progress(done[0], total)

    result = run_experiment(named, replications, seed, jobs=jobs, progress=tick)
    appraisal = appraise(result.results, base["name"], seed)
    resolved = {base["name"]: base, option["name"]: option}
    return AppRun(result.results, appraisal, resolved, seed, result.wall_seconds)


def report_html(run: AppRun, folder: Path) -> str:
    """The HTML report of an app run (the same page as `sufficiency-sim report`)."""
    from sufficiency_sim.report.compare_run import CompareRun
    from sufficiency_sim.report.html import build_html

    names = list(run.resolved)
    meta = {
        "command": "compare",
        "seed": run.seed,
        "discount_rate": run.appraisal.discount_rate,
        "confidence": run.appraisal.confidence,
        "baseline_file": "chosen in the app",
        "option_files": ["made in the app"],
        "executor": "app",
        "jobs": 1,
        "wall_seconds": round(run.wall_seconds, 1),
        "scenarios": [{"name": n, "resolved": run.resolved[n]} for n in names],
    }
    return build_html(CompareRun(folder, meta, run.results, meta["scenarios"]))
