"""Benchmark of the placement model (``sufficiency_sim.model``) at York and England scale.

Run: ``python benchmarks/bench_model.py [--york-reps N] [--skip-england] [--scaling FACTORS]``

1. York: seconds per 10-year replication of ``scenarios/york_baseline.yaml`` (its 18-year warm-up
   included), mean and min over N replications, split into the phases of
   ``experiment.run_replication``: model set-up and the SimPy run (simulate), building the history
   columns (``build_history``) and converting them to pandas frames (``history_frames``), and
   measuring (``measure``: indicators, costs, system measures); wall clock and CPU time. Goal
   (issue 14): under 0.1 s per replication.
2. Events per second of the model's SimPy run (every ``env.step`` counted by a wrapper installed
   on the benchmark's ``Environment`` instance), beside a bare SimPy model with the same number of
   events and as many concurrent chains as children in care plus households (each has one
   pending event in the model), measured in this script: timeouts whose
   callbacks schedule the next timeout (the model's own idiom) and processes that only
   ``yield env.timeout(...)``. The same counting wrapper is installed in every run. Goal (issue
   14): model cost per event within 5x of bare SimPy.
3. England scale: one replication of York scaled so that about 33,000 children enter a year
   (entries, in-house and emergency households, local homes and carer enquiries all multiplied by
   the same factor), 10 years after the warm-up, run in a child process so that its peak memory
   (``ru_maxrss``) is its own. Prints seconds per phase, peak memory, children in care at the end
   and whether the goals (under 60 s, under 4 GB) were met. Progress is reported per simulated
   year; a run that exceeds ``--england-timeout`` seconds is stopped and what it did so far is
   reported instead. ``--england-scale 0.05`` runs a 1/20 England.
4. ``--scaling 1,5,25,125,515`` prints the scaling table instead: one replication of York times
   each factor (x515 is about 33,000 entries a year), seconds per simulated year in the first
   and last three years (flat if the cost does not grow with the stock), the last divided by the
   factor (constant if the cost is linear in size) and peak memory; each size is stopped after
   ``--scaling-timeout`` seconds and the years it reached are reported. ``--collector-on``
   runs the scaled replications with Python's garbage collector running, to show what
   ``Simulation.run``'s pause of it (``model/gc_paused.py``) saves.

Results are recorded in ``benchmarks/README.md`` (section "Model").
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import simpy

from sufficiency_sim import scenario as scenario_module
from sufficiency_sim.experiment.runner import history_frames, measure, run_replication
from sufficiency_sim.model.gc_paused import gc_paused
from sufficiency_sim.model.history import build_history
from sufficiency_sim.model.processes import Simulation

ROOT = Path(__file__).resolve().parent.parent
YORK = ROOT / "scenarios" / "york_baseline.yaml"
SEED = 2019  # the CLI's default master seed
YEAR = 365.25

YORK_GOAL_SECONDS = 0.1
EVENT_RATIO_GOAL = 5.0
ENGLAND_ENTRIES_PER_YEAR = 33_000
ENGLAND_GOAL_SECONDS = 60.0
ENGLAND_GOAL_MB = 4096.0

PHASES = ("setup", "simpy_run", "build_history", "history_frames", "measure")
PHASE_LABELS = {
    "setup": "model set-up (Simulation())",
    "simpy_run": "SimPy run (env.run)",
    "build_history": "history columns (build_history)",
    "history_frames": "pandas frames (history_frames)",
    "measure": "measurement (measure)",
}


# ---------------------------------------------------------------------------------- helpers


def _peak_mb() -> float:
    """Peak resident memory of this process (ru_maxrss is in KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _count_steps(env: simpy.Environment) -> list[int]:
    """Install a step-counting wrapper on this environment instance; return its counter."""
    counter = [0]
    step = env.step

    def counted_step() -> None:
        counter[0] += 1
        step()

    env.step = counted_step  # type: ignore[method-assign]
    return counter


def _revision() -> str:
    """The git commit of the tree, marked "+changes" if tracked package or scenario files differ."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            [
                "git",
                "-C",
                str(ROOT),
                "status",
                "--porcelain",
                "-uno",
                "sufficiency_sim",
                "scenarios",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + (" +changes" if changed else "")


def _yes(ok: bool) -> str:
    return "met" if ok else "NOT met"


# ---------------------------------------------------------------------------------- York


def run_phases(scenario, seed: int, replication: int) -> tuple[dict[str, float], dict, object]:
    """One replication as ``experiment.run_replication`` does it, with each phase timed (wall
    clock, and CPU time of this process as ``cpu_<phase>``).

    ``Simulation.run`` is ``env.run(until=end_day)`` followed by ``build_history``, both with
    the garbage collector paused; they are called separately here so that each can be timed.
    Returns (seconds per phase, counts, the measured results)."""
    clock: list[tuple[float, float]] = []

    def tick() -> None:
        clock.append((time.perf_counter(), time.process_time()))

    tick()
    sim = Simulation(scenario, seed, replication)
    steps = _count_steps(sim.env)
    tick()
    with gc_paused():  # as Simulation.run does
        sim.env.run(until=sim.end_day)
        tick()
        history = build_history(sim)
        tick()
    frames = history_frames(history)
    tick()
    results = measure(frames, scenario)
    tick()
    times: dict[str, float] = {}
    for i, phase in enumerate(PHASES):
        times[phase] = clock[i + 1][0] - clock[i][0]
        times[f"cpu_{phase}"] = clock[i + 1][1] - clock[i][1]
    counts = {
        "simpy_steps": steps[0],
        "model_events": sim.events,
        "children": len(sim.children),
        "in_care": sim.entries - sim.exits,
        # one pending event per child in care and per approved household
        "pending": sim.entries - sim.exits + sum(h.status != "gone" for h in sim.foster),
        "episodes": len(history.episodes["CHILD"]),
    }
    return times, counts, results


def bench_york(reps: int) -> dict:
    """Time `reps` replications of the York baseline; return per-phase times and counts."""
    scenario = scenario_module.load(YORK)
    # The split phases must compute exactly what run_replication computes.
    _, _, results = run_phases(scenario, SEED, 0)
    reference = run_replication(scenario, SEED, 0).results.drop(columns="replication")
    pd.testing.assert_frame_equal(results.reset_index(drop=True), reference, check_dtype=False)

    rows = []
    for rep in range(reps):
        times, counts, _ = run_phases(scenario, SEED, rep)
        rows.append({**times, **counts})
    return {"scenario": scenario, "rows": rows}


def report_york(york: dict) -> None:
    rows = york["rows"]
    scenario = york["scenario"]
    n = len(rows)
    total = [sum(r[p] for p in PHASES) for r in rows]
    print(
        f"York: {YORK.relative_to(ROOT)}, {scenario.horizon_years} years after a "
        f"{scenario.warmup_years}-year warm-up, seed {SEED}, replications 0-{n - 1}"
    )
    print(f"  {'seconds per replication (wall clock)':<40}{'mean':>9}{'min':>9}{'CPU mean':>10}")

    def line(label: str, phases: tuple[str, ...]) -> None:
        wall = [sum(r[p] for p in phases) for r in rows]
        cpu = statistics.mean(sum(r[f"cpu_{p}"] for p in phases) for r in rows)
        print(f"  {label:<40}{statistics.mean(wall):>9.4f}{min(wall):>9.4f}{cpu:>10.4f}")

    for phase in PHASES:
        line(PHASE_LABELS[phase], (phase,))
    groups = {
        "simulate (set-up + SimPy run)": ("setup", "simpy_run"),
        "history conversion (cols + frames)": ("build_history", "history_frames"),
        "measurement": ("measure",),
    }
    for label, phases in groups.items():
        line(label, phases)
    line("TOTAL per replication", PHASES)
    mean_total = statistics.mean(total)
    print(
        f"  goal: under {YORK_GOAL_SECONDS} s per replication -> "
        f"{_yes(mean_total < YORK_GOAL_SECONDS)} (mean {mean_total:.3f} s)"
    )
    for key, label in (
        ("children", "children simulated (incl. warm-up)"),
        ("in_care", "children in care at the end"),
        ("episodes", "903 episodes in the history"),
    ):
        print(f"  {label:<40}{statistics.mean(r[key] for r in rows):>9.0f}")


# ---------------------------------------------------------------------------------- events


def bare_simpy(n_events: int, pending: int, style: str, seed: int = 0) -> tuple[float, int]:
    """A SimPy model that does nothing but schedule timeouts: `pending` chains, exponential
    delays, until about `n_events` events have been processed. Returns (seconds, steps)."""
    env = simpy.Environment()
    steps = _count_steps(env)
    delays = np.random.default_rng(seed).exponential(10.0, n_events + pending).tolist()
    budget = [n_events - pending]  # each chain's first timeout counts too

    if style == "callbacks":

        def fire(_event) -> None:
            if budget[0] > 0:
                budget[0] -= 1
                env.timeout(delays[budget[0]]).callbacks.append(fire)

        for i in range(pending):
            env.timeout(delays[-1 - i]).callbacks.append(fire)
    else:

        def chain():
            while budget[0] > 0:
                budget[0] -= 1
                yield env.timeout(delays[budget[0]])

        for _ in range(pending):
            env.process(chain())
    started = time.perf_counter()
    env.run()
    return time.perf_counter() - started, steps[0]


def report_events(york: dict) -> None:
    rows = york["rows"]
    steps = round(statistics.mean(r["simpy_steps"] for r in rows))
    model_events = statistics.mean(r["model_events"] for r in rows)
    pending = max(1, round(statistics.mean(r["pending"] for r in rows)))
    run_min = min(r["simpy_run"] / r["simpy_steps"] for r in rows)
    run_mean = statistics.mean(r["simpy_run"] / r["simpy_steps"] for r in rows)
    print("Events (York SimPy run only, i.e. env.run; every env.step counted)")
    print(f"  SimPy events processed per replication   {steps:>9d}")
    print(f"  of which model events handled (.events)  {model_events:>9.0f}")
    print(f"  chains (children in care + households)   {pending:>9d}")
    print(
        f"  model: {1e6 * run_mean:7.2f} us/event mean, {1e6 * run_min:7.2f} us/event best "
        f"-> {1 / run_mean:,.0f} events/s (best {1 / run_min:,.0f})"
    )
    ratios = {}
    for style, label in (
        ("callbacks", "timeouts with callbacks (model idiom)"),
        ("process", "processes yielding timeouts"),
    ):
        runs = [bare_simpy(steps, pending, style, seed) for seed in range(5)]
        per = min(seconds / bare_steps for seconds, bare_steps in runs)
        ratios[style] = run_min / per
        print(
            f"  bare SimPy, {label}: {runs[0][1]} events, {1e6 * per:5.2f} us/event "
            f"({1 / per:,.0f} events/s); model/bare = {ratios[style]:5.1f}x"
        )
    ratio = ratios["callbacks"]
    print(
        f"  goal: model cost per event within {EVENT_RATIO_GOAL:g}x of bare SimPy (callbacks) -> "
        f"{_yes(ratio <= EVENT_RATIO_GOAL)} ({ratio:.1f}x, best runs compared)"
    )


# ---------------------------------------------------------------------------------- England


def scaled_scenario(factor: float, warmup_years: int):
    """York scaled by `factor`: entries, in-house and emergency households, local homes (the list
    repeated with unique names) and carer enquiries."""
    data = copy.deepcopy(scenario_module.load_raw(YORK))
    data["name"] = f"York x {factor:.2f}"
    data["warmup_years"] = warmup_years
    data["entries"]["rate_per_year"] = data["entries"]["rate_per_year"] * factor
    foster = data["provision"]["inhouse_foster"]
    foster["households"] = round(foster["households"] * factor)
    foster["emergency_households"] = round(foster["emergency_households"] * factor)
    homes = data["provision"]["local_homes"]
    n_homes = round(len(homes) * factor)
    data["provision"]["local_homes"] = [
        {**homes[i % len(homes)], "name": f"{homes[i % len(homes)]['name']} #{i + 1}"}
        for i in range(n_homes)
    ]
    data["carers"]["enquiries_per_year"] = data["carers"]["enquiries_per_year"] * factor
    return scenario_module.validate(data, f"{YORK.name} x {factor:.2f}")


def _emit(record: dict) -> None:
    print(json.dumps(record), flush=True)


def england_child(factor: float, warmup_years: int, collector_on: bool = False) -> None:
    """Run in a child process: one scaled replication; JSON lines on stdout. With
    `collector_on`, the garbage collector is left running (to measure what pausing it saves)."""
    t0, cpu0 = time.perf_counter(), time.process_time()
    scenario = scaled_scenario(factor, warmup_years)
    sim = Simulation(scenario, SEED, 0)
    steps = _count_steps(sim.env)
    t1 = time.perf_counter()
    _emit(
        {
            "kind": "setup",
            "seconds": t1 - t0,
            "households": scenario.provision.inhouse_foster.households,
            "emergency_households": scenario.provision.inhouse_foster.emergency_households,
            "local_homes": len(scenario.provision.local_homes),
            "entries_per_year": scenario.entries.rate_per_year,
            "enquiries_per_year": scenario.carers.enquiries_per_year,
            "simulated_years": scenario.warmup_years + scenario.horizon_years,
        }
    )
    last = [t1]

    def ticker(sim: Simulation):
        year = 0
        while True:  # a benchmark-only process: no model state, no random numbers
            yield sim.env.timeout(YEAR)
            year += 1
            now = time.perf_counter()
            _emit(
                {
                    "kind": "year",
                    "year": year,
                    "seconds": now - last[0],
                    "elapsed": now - t0,
                    "children": len(sim.children),
                    "in_care": sim.entries - sim.exits,
                    "queue": sim.queue_length,
                    "peak_mb": _peak_mb(),
                }
            )
            last[0] = now

    sim.env.process(ticker(sim))
    with nullcontext() if collector_on else gc_paused():  # as Simulation.run does
        sim.env.run(until=sim.end_day)
        t2 = time.perf_counter()
        history = build_history(sim)
        t3 = time.perf_counter()
    counts = {
        "simpy_steps": steps[0],
        "model_events": sim.events,
        "children": len(sim.children),
        "entries": sim.entries,
        "in_care": sim.entries - sim.exits,
        "episodes": len(history.episodes["CHILD"]),
        "peak_mb_run": _peak_mb(),
    }
    del sim  # as in run_replication, where only the history outlives simulate()
    frames = history_frames(history)
    t4 = time.perf_counter()
    measure(frames, scenario)
    t5 = time.perf_counter()
    _emit(
        {
            "kind": "done",
            "setup": t1 - t0,
            "simpy_run": t2 - t1,
            "build_history": t3 - t2,
            "history_frames": t4 - t3,
            "measure": t5 - t4,
            "total": t5 - t0,
            "cpu_total": time.process_time() - cpu0,
            **counts,
            "peak_mb": _peak_mb(),
        }
    )


@dataclass
class ScaledRun:
    """What the child process of one scaled replication reported."""

    setup: dict | None = None
    years: list[dict] = field(default_factory=list)
    done: dict | None = None
    timed_out: bool = False
    returncode: int = 0
    elapsed: float = 0.0


def run_scaled(
    factor: float, warmup_years: int, timeout: float, echo: bool, collector_on: bool = False
) -> ScaledRun:
    """One replication of York scaled by `factor` in a child process (so that its peak memory
    is its own), stopped after `timeout` seconds; with `echo`, each simulated year is printed."""
    command = [
        sys.executable,
        __file__,
        "--england-child",
        repr(factor),
        "--england-warmup",
        str(warmup_years),
        *(["--collector-on"] if collector_on else []),
    ]
    run = ScaledRun()
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, bufsize=1)
    timed_out = threading.Event()

    def stop() -> None:
        timed_out.set()
        proc.kill()  # our own child process, by its handle

    timer = threading.Timer(timeout, stop)
    timer.start()
    assert proc.stdout is not None
    for line in proc.stdout:
        record = json.loads(line)
        if record["kind"] == "setup":
            run.setup = record
            if echo:
                print(
                    f"  scaled: {record['entries_per_year']:,.0f} entries/year, "
                    f"{record['households']:,} in-house + {record['emergency_households']:,} "
                    f"emergency households, {record['local_homes']:,} local homes, "
                    f"{record['enquiries_per_year']:,.0f} enquiries/year, "
                    f"{record['simulated_years']} simulated years; "
                    f"set-up {record['seconds']:.2f} s"
                )
        elif record["kind"] == "year":
            run.years.append(record)
            if echo:
                print(
                    f"  year {record['year']:>2}: {record['seconds']:7.2f} s "
                    f"(elapsed {record['elapsed']:7.1f} s), {record['in_care']:>7,} in care, "
                    f"{record['queue']:>6,} in the search queue, {record['children']:>9,} "
                    f"children so far, peak {record['peak_mb']:7.0f} MB",
                    flush=True,
                )
        else:
            run.done = record
    proc.wait()
    timer.cancel()
    run.timed_out, run.returncode = timed_out.is_set(), proc.returncode
    run.elapsed = time.perf_counter() - started
    return run


def bench_england(scale: float, warmup_years: int, timeout: float) -> None:
    york_rate = scenario_module.load(YORK).entries.rate_per_year
    factor = scale * ENGLAND_ENTRIES_PER_YEAR / york_rate
    print(
        f"England scale x{scale:g}: York scaled by {factor:.2f} "
        f"(about {scale * ENGLAND_ENTRIES_PER_YEAR:,.0f} entries a year), "
        f"{warmup_years}-year warm-up, seed {SEED}, replication 0, child process, "
        f"stopped after {timeout:.0f} s"
    )
    run = run_scaled(factor, warmup_years, timeout, echo=True)
    years, done, timed_out = run.years, run.done, run.timed_out
    simulated_years = run.setup["simulated_years"] if run.setup else 0
    if timed_out or done is None:
        elapsed = run.elapsed
        print(
            f"  STOPPED after {elapsed:.0f} s "
            + ("(timeout)" if timed_out else f"(child failed, exit code {run.returncode})")
        )
        if years:
            last = years[-1]
            recent = years[-3:]
            print(
                f"  reached simulated year {last['year']}; last {len(recent)} years took "
                f"{statistics.mean(y['seconds'] for y in recent):.1f} s per simulated year; "
                f"{last['in_care']:,} in care; peak {last['peak_mb']:.0f} MB"
            )
            if simulated_years:
                rest = simulated_years - last["year"]
                per_year = statistics.mean(y["seconds"] for y in recent)
                mb_per_year = (last["peak_mb"] - years[0]["peak_mb"]) / max(1, len(years) - 1)
                print(
                    f"  linear extrapolation to {simulated_years} years (a lower bound while the "
                    f"per-year time still grows): at least {last['elapsed'] + rest * per_year:,.0f}"
                    f" s; {last['peak_mb'] + rest * mb_per_year:,.0f} MB before the history is "
                    f"built"
                )
        print(
            f"  goals: under {ENGLAND_GOAL_SECONDS:g} s -> "
            f"{'NOT met' if elapsed >= ENGLAND_GOAL_SECONDS else 'unknown'}; "
            f"under {ENGLAND_GOAL_MB / 1024:g} GB -> unknown (run incomplete)"
        )
        return
    print(f"  {'seconds':<40}")
    for phase in PHASES:
        print(f"  {PHASE_LABELS[phase]:<40}{done[phase]:>9.2f}")
    print(f"  {'TOTAL':<40}{done['total']:>9.2f}  (CPU {done['cpu_total']:.2f} s)")
    print(
        f"  {done['simpy_steps']:,} SimPy events ({done['simpy_steps'] / done['simpy_run']:,.0f}"
        f" events/s), {done['model_events']:,} model events, {done['entries']:,} children, "
        f"{done['episodes']:,} episodes"
    )
    print(f"  children in care at the end: {done['in_care']:,}")
    print(
        f"  peak memory (ru_maxrss): {done['peak_mb']:,.0f} MB "
        f"({done['peak_mb_run']:,.0f} MB when the history columns were built)"
    )
    caveat = "" if scale == 1.0 else f" (goals are for full England; this run is x{scale:g})"
    print(
        f"  goals: under {ENGLAND_GOAL_SECONDS:g} s -> {_yes(done['total'] < ENGLAND_GOAL_SECONDS)}"
        f"; under {ENGLAND_GOAL_MB / 1024:g} GB -> {_yes(done['peak_mb'] < ENGLAND_GOAL_MB)}"
        + caveat
    )


def bench_scaling(
    factors: list[float], warmup_years: int, timeout: float, collector_on: bool = False
) -> None:
    """The scaling table: one replication of York times each factor, seconds per simulated year
    early and late in the run (flat if the cost does not grow with the stock), the same per
    unit of size (constant if the cost is linear in size) and peak memory."""
    print(
        f"Scaling: York x factor, {warmup_years}-year warm-up + horizon, seed {SEED}, one "
        f"replication each in a child process, stopped after {timeout:.0f} s"
        + (", garbage collector running" if collector_on else "")
    )
    header = (
        f"  {'size':>6} {'entries/yr':>10} {'years run':>10} {'s/yr first 3':>12} "
        f"{'s/yr last 3':>11} {'s/yr/size':>10} {'in care':>8} {'total s':>8} {'peak MB':>8}"
    )
    print(header)
    for factor in factors:
        run = run_scaled(factor, warmup_years, timeout, echo=False, collector_on=collector_on)
        if not run.years or run.setup is None:
            print(f"  x{factor:<5g} no simulated year finished (exit code {run.returncode})")
            continue
        first = statistics.mean(y["seconds"] for y in run.years[:3])
        last = statistics.mean(y["seconds"] for y in run.years[-3:])
        reached = "all" if run.done else f"{len(run.years)} of {run.setup['simulated_years']}"
        total = f"{run.done['total']:8.1f}" if run.done else "stopped"
        peak = run.done["peak_mb"] if run.done else run.years[-1]["peak_mb"]
        print(
            f"  x{factor:<5g} {run.setup['entries_per_year']:>10,.0f} {reached:>10} "
            f"{first:>12.3f} {last:>11.3f} {last / factor:>10.4f} {run.years[-1]['in_care']:>8,} "
            f"{total:>8} {peak:>8,.0f}"
        )


# ---------------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--york-reps", type=int, default=20, help="York replications (20)")
    parser.add_argument("--skip-england", action="store_true", help="skip the England-scale run")
    parser.add_argument(
        "--england-scale", type=float, default=1.0, help="fraction of England to run (1.0)"
    )
    parser.add_argument(
        "--england-warmup", type=int, default=18, help="warm-up years at England scale (18)"
    )
    parser.add_argument(
        "--england-timeout", type=float, default=600.0, help="stop the England run after (600 s)"
    )
    parser.add_argument(
        "--scaling",
        metavar="FACTORS",
        help="print the scaling table for these sizes of York instead (e.g. 1,5,25,125,515)",
    )
    parser.add_argument(
        "--scaling-timeout", type=float, default=300.0, help="stop each size after (300 s)"
    )
    parser.add_argument(
        "--collector-on",
        action="store_true",
        help="scaled runs with the garbage collector running (Simulation.run pauses it)",
    )
    parser.add_argument("--england-child", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.england_child is not None:
        england_child(args.england_child, args.england_warmup, args.collector_on)
        return

    print(
        f"bench_model on {dt.date.today()}, commit {_revision()}: {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, simpy {simpy.__version__}, numpy {np.__version__}, "
        f"pandas {pd.__version__}, load average {os.getloadavg()[0]:.2f}"
    )
    print()
    if args.scaling:
        factors = [float(f) for f in args.scaling.split(",")]
        bench_scaling(factors, args.england_warmup, args.scaling_timeout, args.collector_on)
        return
    york = bench_york(args.york_reps)
    report_york(york)
    print()
    report_events(york)
    if not args.skip_england:
        print()
        bench_england(args.england_scale, args.england_warmup, args.england_timeout)


if __name__ == "__main__":
    main()
