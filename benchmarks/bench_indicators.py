"""Benchmark of ``measure.indicators.compute_indicators`` on a large synthetic extract.

Run: ``python benchmarks/bench_indicators.py [--children N] [--seed S]``

The synthetic episodes are generated with numpy only: children enter care between 2010 and
2025, with periods of care made of X1 chains, legal-status-only (RNE L) episodes, temporary
T0-T4 spells that sometimes return to the same placement, a mix of placements and providers,
PL_LOCATION / PL_DISTANCE, short-break (LS V3) episodes to drop, and open episodes at the end of
the extract (31 March 2025). Indicators are computed for the 10 years 2016-2025.

Measured on 2026-11-26 (2-core machine, Python 3.11, pandas 3.1, numpy 2.4):
    python benchmarks/bench_indicators.py --children 100000
    -> episodes: 463,973 (100,000 children); compute_indicators for 10 years: 0.90-1.05 s on a quiet
       machine, 2.06-2.15 s while other test suites shared the 2 cores; peak memory (maxrss,
       generation included): 683 MiB.
    python benchmarks/bench_indicators.py --children 200000
    -> episodes: 928,723; 10 years: 4.64 s (shared cores); peak memory 1,295 MiB.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

from sufficiency_sim.measure.indicators import compute_indicators

_DAY0 = np.datetime64("1970-01-01", "D")
_EXTRACT_END = int((np.datetime64("2025-03-31", "D") - _DAY0).astype(np.int64))
_FIRST_ENTRY = int((np.datetime64("2010-01-01", "D") - _DAY0).astype(np.int64))

_PLACE_MIX = {
    "U1": 0.08, "U2": 0.03, "U3": 0.03, "U4": 0.22, "U5": 0.08, "U6": 0.12, "K2": 0.10,
    "R1": 0.01, "K1": 0.01, "H5": 0.04, "P2": 0.02, "K3": 0.02, "P1": 0.05, "A3": 0.03,
    "A5": 0.01, "Z1": 0.03, "S1": 0.02, "T0": 0.01, "T1": 0.03, "T2": 0.02, "T3": 0.02,
    "T4": 0.02,
}  # fmt: skip
_PLACES = np.array(list(_PLACE_MIX))
_PLACE_P = np.array(list(_PLACE_MIX.values()))
_PROVIDERS = np.array(["PR0", "PR1", "PR2", "PR3", "PR4", "PR5"])
_RNE_LATER = np.array(["L", "P", "T", "U", "B"])
_RNE_LATER_P = np.array([0.35, 0.45, 0.08, 0.07, 0.05])
_REC_END = np.array(["E11", "E12", "E13", "E2", "E3", "E41", "E45", "E4A", "E7", "E8"])
_REASONS = np.array(["CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD"])
_LS = np.array(["C2", "C1", "J2", "E1", "V2", "L1"])
_LS_P = np.array([0.6, 0.15, 0.05, 0.05, 0.1, 0.05])


def _strings(
    values: np.ndarray, missing: np.ndarray | None = None
) -> pd.api.extensions.ExtensionArray:
    out = values.astype(object)
    if missing is not None:
        out[missing] = None
    return pd.array(out, dtype="string")


def _dates(days: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    out = (_DAY0 + days.astype("timedelta64[D]")).astype("datetime64[ns]")
    if missing is not None:
        out[missing] = np.datetime64("NaT")
    return out


def synthetic_extract(n_children: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Canonical (episodes, header) frames for ``n_children`` synthetic children."""
    rng = np.random.default_rng(seed)
    k = 1 + rng.poisson(4.0, n_children)  # episodes per child
    n = int(k.sum())
    child = np.repeat(np.arange(n_children), k)
    first = np.zeros(n, dtype=bool)
    first[np.cumsum(k) - k] = True
    last = np.zeros(n, dtype=bool)
    last[np.cumsum(k) - 1] = True
    idx = np.arange(n)

    # Timeline: each episode lasts >= 1 day; after a non-X1 ending comes a gap out of care.
    duration = 1 + rng.exponential(170.0, n).astype(np.int64)
    breaks = (rng.random(n) < 0.12) & ~last
    gap = np.where(breaks, 1 + rng.exponential(300.0, n).astype(np.int64), 0)
    step = duration + gap
    entry = rng.integers(_FIRST_ENTRY, _EXTRACT_END, n_children)
    cum = np.cumsum(step)
    child_offset = np.repeat(np.append(0, cum[np.cumsum(k)[:-1] - 1]), k)
    decom = entry[child] + (cum - step) - child_offset
    dec = decom + duration
    leaves = last & (rng.random(n) < 0.5)
    rec = np.where(breaks | leaves, rng.choice(_REC_END, n), "X1")
    open_ = (last & ~leaves) | (dec > _EXTRACT_END)
    rec = np.where(open_, "", rec)

    # Placement attributes of "fresh" episodes; others copy from an earlier episode.
    new_period = first | np.append(False, breaks[:-1])
    rne = np.where(new_period, "S", rng.choice(_RNE_LATER, n, p=_RNE_LATER_P))
    place = rng.choice(_PLACES, n, p=_PLACE_P)
    provider = rng.choice(_PROVIDERS, n, p=[0.05, 0.45, 0.05, 0.05, 0.35, 0.05])
    urn = rng.integers(100000, 100600, n).astype(str)
    pl_post = np.char.add("ZZ", rng.integers(0, 3000, n).astype(str))
    location = rng.choice(np.array(["IN", "OUT", ""]), n, p=[0.6, 0.35, 0.05])
    distance = np.round(rng.lognormal(2.0, 1.0, n), 1)
    distance[rng.random(n) < 0.05] = np.nan

    source = np.maximum.accumulate(np.where(rne == "L", -1, idx))
    temporary = np.isin(place, _PLACES[-5:])
    after_temp = np.append(False, temporary[:-1]) & ~new_period & (idx >= 2)
    returns = after_temp & (rng.random(n) < 0.6)
    source = np.where(returns, source[np.maximum(idx - 2, 0)], source)
    source = source[source]
    source = source[source]
    place, provider, urn, pl_post = place[source], provider[source], urn[source], pl_post[source]
    location, distance = location[source], distance[source]

    # Short breaks: ~2% extra V3/V4 episodes laid over the history, to be dropped.
    n_sb = n // 50
    sb_child = rng.integers(0, n_children, n_sb)
    sb_decom = entry[sb_child] + rng.integers(0, 2000, n_sb)
    sb = {
        "CHILD": sb_child,
        "DECOM": sb_decom,
        "DEC": sb_decom + 2,
        "LS": rng.choice(np.array(["V3", "V4"]), n_sb),
    }

    episodes = pd.DataFrame(
        {
            "CHILD": _strings(np.concatenate([child, sb["CHILD"]]).astype(str)),
            "DECOM": _dates(np.concatenate([decom, sb["DECOM"]])),
            "RNE": _strings(np.concatenate([rne, np.full(n_sb, "S")])),
            "LS": _strings(np.concatenate([rng.choice(_LS, n, p=_LS_P), sb["LS"]])),
            "CIN": _strings(rng.choice(np.array([f"N{i}" for i in range(1, 9)]), n + n_sb)),
            "PLACE": _strings(np.concatenate([place, np.full(n_sb, "U1")])),
            "PLACE_PROVIDER": _strings(np.concatenate([provider, np.full(n_sb, "PR1")])),
            "DEC": _dates(
                np.concatenate([dec, sb["DEC"]]), np.concatenate([open_, np.zeros(n_sb, bool)])
            ),
            "REC": _strings(
                np.concatenate([rec, np.full(n_sb, "E13")]),
                np.concatenate([rec == "", np.zeros(n_sb, bool)]),
            ),
            "REASON_PLACE_CHANGE": _strings(
                rng.choice(_REASONS, n + n_sb), rng.random(n + n_sb) < 0.3
            ),
            "HOME_POST": _strings(np.char.add("HH", rng.integers(0, 3000, n + n_sb).astype(str))),
            "PL_POST": _strings(np.concatenate([pl_post, np.full(n_sb, "ZZ0")])),
            "URN": _strings(np.concatenate([urn, np.full(n_sb, "SC1")])),
            "PL_LOCATION": _strings(
                np.concatenate([location, np.full(n_sb, "IN")]),
                np.concatenate([location == "", np.zeros(n_sb, bool)]),
            ),
            "PL_DISTANCE": np.concatenate([distance, np.full(n_sb, 1.0)]),
        }
    )
    keep = episodes["DECOM"].to_numpy() <= _dates(np.array([_EXTRACT_END]))[0]
    episodes = episodes.loc[keep].reset_index(drop=True)
    dob = entry - rng.integers(0, 17 * 365, n_children)
    header = pd.DataFrame(
        {
            "CHILD": _strings(np.arange(n_children).astype(str)),
            "SEX": _strings(rng.choice(np.array(["1", "2"]), n_children)),
            "DOB": _dates(dob),
        }
    )
    return episodes, header


def main() -> None:
    """Generate the extract, time 10 years of indicators and report peak memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    t0 = time.perf_counter()
    episodes, header = synthetic_extract(args.children, args.seed)
    t1 = time.perf_counter()
    result = compute_indicators(episodes, header, range(2016, 2026))
    t2 = time.perf_counter()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    print(f"children: {args.children:,}")
    print(f"episodes: {len(episodes):,}")
    print(f"generate: {t1 - t0:.2f} s")
    print(f"compute_indicators, 10 years: {t2 - t1:.2f} s")
    print(f"peak memory (maxrss): {peak_mib:,.0f} MiB")
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(result.set_index("year").T.to_string())


if __name__ == "__main__":
    main()
