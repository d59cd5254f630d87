"""Synthetic authorities' SSDA903 extracts from a generator of their own, independent of the
model (plain numpy and pandas; nothing here imports `sufficiency_sim.model` or the scenario).

Each authority has constant, known parameters:

- entries: Poisson counts per collection year, ``rate * (1 + trend)^(year - 2023)`` (trend 0 for
  a constant-rate authority), spread uniformly over the year; age at entry from the
  authority's age mix (uniform within the band);
- time in care: a route drawn at entry by age band (return home, adoption, special
  guardianship, other, long term until 18), with a lognormal duration per route; every period
  ends at the 18th birthday at the latest. Three duration mixes ("short", "mixed", "long");
- placements: six kinds (kinship, in-house foster, agency foster, council home, private home,
  supported accommodation from 16), each with its own exponential length, share of unplanned
  endings and location (inside; outside within 20 miles; further). The first placement's kind
  is drawn by age band, each next one from the authority's move mix.

The extract holds every episode open on or after `EXTRACT_FROM` and begun by `EXTRACT_TO`
(episodes still open then have no DEC), as an authority's yearly returns would. The in-care
size is set by choosing the entry rate from the mean period length (a pilot draw).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

HISTORY_FROM = pd.Timestamp("1998-04-01")
EXTRACT_FROM = pd.Timestamp("2016-04-01")
EXTRACT_TO = pd.Timestamp("2026-03-31")
TREND_BASE_YEAR = 2023
"""Collection year in which the entry rate equals `rate_per_year` (the benchmark's cut)."""

BANDS = ("0", "1-4", "5-9", "10-15", "16-17")
BAND_AGES = ((0.0, 1.0), (1.0, 5.0), (5.0, 10.0), (10.0, 16.0), (16.0, 17.9))
ROUTES = ("return_home", "adoption", "sgo", "other", "long_term")
REC = {"return_home": "E13", "adoption": "E11", "sgo": "E45", "other": "E8"}
KINDS = ("kinship", "inhouse", "ifa", "local_home", "private_home", "supported")
CODES = {  # PLACE, PLACE_PROVIDER
    "kinship": ("U1", "PR1"),
    "inhouse": ("U4", "PR1"),
    "ifa": ("U4", "PR4"),
    "local_home": ("K2", "PR1"),
    "private_home": ("K2", "PR4"),
    "supported": ("H5", "PR4"),
}
UNPLANNED = ("CREQB", "CREQO", "CHILD", "ALLEG", "STAND")
DURATION_MIXES: dict[str, dict[str, np.ndarray]] = {
    # route probabilities by age band: return home, adoption, SGO, other, long term
    "short": {
        "0": np.array([0.45, 0.30, 0.15, 0.05, 0.05]),
        "1-4": np.array([0.55, 0.15, 0.15, 0.05, 0.10]),
        "5-9": np.array([0.60, 0.0, 0.10, 0.10, 0.20]),
        "10-15": np.array([0.55, 0.0, 0.05, 0.15, 0.25]),
        "16-17": np.array([0.45, 0.0, 0.0, 0.15, 0.40]),
    },
    "mixed": {
        "0": np.array([0.30, 0.40, 0.15, 0.05, 0.10]),
        "1-4": np.array([0.40, 0.20, 0.15, 0.05, 0.20]),
        "5-9": np.array([0.40, 0.0, 0.15, 0.10, 0.35]),
        "10-15": np.array([0.40, 0.0, 0.05, 0.15, 0.40]),
        "16-17": np.array([0.30, 0.0, 0.0, 0.10, 0.60]),
    },
    "long": {
        "0": np.array([0.20, 0.40, 0.15, 0.05, 0.20]),
        "1-4": np.array([0.25, 0.20, 0.15, 0.05, 0.35]),
        "5-9": np.array([0.25, 0.0, 0.10, 0.10, 0.55]),
        "10-15": np.array([0.30, 0.0, 0.05, 0.10, 0.55]),
        "16-17": np.array([0.20, 0.0, 0.0, 0.10, 0.70]),
    },
}


@dataclass(frozen=True)
class Authority:
    """One synthetic authority's true parameters."""

    name: str
    seed: int
    target_in_care: int
    trend: float  # yearly growth of the entry rate (0 for constant)
    duration_mix: str
    age_mix: np.ndarray
    medians: dict[str, float]  # route -> median days (lognormal)
    sigmas: dict[str, float]
    first_kind: dict[str, np.ndarray]  # band -> probabilities over KINDS
    move_mix: np.ndarray  # over KINDS (supported only from 16)
    mean_days: dict[str, float]  # kind -> mean placement length
    unplanned_share: dict[str, float]
    inside: dict[str, float]  # kind -> P(IN)
    far_if_out: dict[str, float]
    rate_per_year: float = field(default=0.0)


def make_authority(index: int, n_authorities: int, seed: int = 12) -> Authority:
    """The `index`-th of `n_authorities`: sizes log-spaced from 50 to 2,000 in care, every
    other one trended (+-2 to 6% a year), the three duration mixes in turn."""
    rng = np.random.default_rng([seed, index])
    size = float(np.exp(np.linspace(np.log(50), np.log(2000), n_authorities)[index]))
    trended = index % 2 == 1
    trend = float(rng.choice([-1, 1]) * rng.uniform(0.02, 0.06)) if trended else 0.0
    mix = list(DURATION_MIXES)[index % 3]
    age_mix = rng.dirichlet(np.array([20.0, 20.0, 17.0, 33.0, 10.0]) * 3)
    medians = {
        "return_home": rng.uniform(120, 400),
        "adoption": rng.uniform(550, 850),
        "sgo": rng.uniform(450, 900),
        "other": rng.uniform(150, 400),
    }
    sigmas = {"return_home": 1.1, "adoption": 0.35, "sgo": 0.6, "other": 1.2}
    kin = rng.uniform(0.10, 0.30)
    home = rng.uniform(0.02, 0.08)
    local = rng.uniform(0.2, 0.6)
    inhouse = rng.uniform(0.4, 0.7)

    def first(band: str) -> np.ndarray:
        h = home * (3.0 if band in ("10-15", "16-17") else 0.3)
        fost = 1.0 - kin - h - (0.15 if band == "16-17" else 0.0)
        p = np.array(
            [kin, fost * inhouse, fost * (1 - inhouse), h * local, h * (1 - local),
             0.15 if band == "16-17" else 0.0]
        )  # fmt: skip
        return p / p.sum()

    move = np.array(
        [kin / 3, 0.5 * inhouse, 0.5 * (1 - inhouse), 0.1 * local, 0.1 * (1 - local), 0.1]
    )
    factor = rng.uniform(0.7, 1.4)
    return Authority(
        name=f"A{index:02d}",
        seed=rng.integers(2**31).item(),
        target_in_care=round(size),
        trend=round(trend, 4),
        duration_mix=mix,
        age_mix=age_mix,
        medians=medians,
        sigmas=sigmas,
        first_kind={b: first(b) for b in BANDS},
        move_mix=move / move.sum(),
        mean_days={
            "kinship": 1100 * factor,
            "inhouse": 600 * factor,
            "ifa": 550 * factor,
            "local_home": 350 * factor,
            "private_home": 300 * factor,
            "supported": 400 * factor,
        },
        unplanned_share={
            "kinship": 0.3,
            "inhouse": 0.4,
            "ifa": 0.45,
            "local_home": 0.55,
            "private_home": 0.6,
            "supported": 0.4,
        },
        inside={
            "kinship": rng.uniform(0.6, 0.85),
            "inhouse": rng.uniform(0.8, 0.95),
            "ifa": rng.uniform(0.3, 0.6),
            "local_home": 1.0,
            "private_home": rng.uniform(0.05, 0.3),
            "supported": rng.uniform(0.4, 0.7),
        },
        far_if_out={
            "kinship": 0.3,
            "inhouse": 0.1,
            "ifa": 0.35,
            "local_home": 0.0,
            "private_home": 0.6,
            "supported": 0.3,
        },
    )


def _period_days(
    a: Authority, rng: np.random.Generator, band: int, age: float
) -> tuple[str, float]:
    """Route and length of a period of care (days), capped at the 18th birthday."""
    p = DURATION_MIXES[a.duration_mix][BANDS[band]]
    route = ROUTES[rng.choice(5, p=p)]
    to18 = (18.0 - age) * 365.25
    if route == "long_term":
        return "at18", to18
    days = float(rng.lognormal(np.log(a.medians[route]), a.sigmas[route]))
    if days >= to18:
        return "at18", to18
    return route, max(days, 1.0)


def with_rate(a: Authority, pilot: int = 4000) -> Authority:
    """The authority with the entry rate that gives about `target_in_care` children in care
    (Little's law on a pilot draw of period lengths)."""
    rng = np.random.default_rng([a.seed, 1])
    total = 0.0
    for _ in range(pilot):
        band = rng.choice(5, p=a.age_mix)
        age = rng.uniform(*BAND_AGES[band])
        total += _period_days(a, rng, band, age)[1]
    mean_years = total / pilot / 365.25
    return Authority(**{**a.__dict__, "rate_per_year": a.target_in_care / mean_years})


def _location(a: Authority, rng: np.random.Generator, kind: str) -> tuple[str, float]:
    if rng.random() < a.inside[kind]:
        return "IN", round(float(rng.lognormal(np.log(3.0), 0.6)), 1)
    if rng.random() < a.far_if_out[kind]:
        return "OUT", round(20.5 + float(rng.exponential(40.0)), 1)
    return "OUT", round(float(rng.uniform(4.0, 19.5)), 1)


def generate(a: Authority) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The authority's 903 episodes and header (CSV-like strings and dates, as read)."""
    if a.rate_per_year <= 0:
        a = with_rate(a)
    rng = np.random.default_rng([a.seed, 2])
    rows: list[tuple] = []
    header: list[tuple] = []
    end_all = _day(EXTRACT_TO)
    child = 0
    for year in range(HISTORY_FROM.year + 1, EXTRACT_TO.year + 1):
        rate = a.rate_per_year * (1.0 + a.trend) ** (year - TREND_BASE_YEAR)
        year_start = _day(pd.Timestamp(year - 1, 4, 1))
        n = int(rng.poisson(rate))
        offsets = np.sort(rng.uniform(0, 365, n))
        for offset in offsets:
            child += 1
            band = int(rng.choice(5, p=a.age_mix))
            age = float(rng.uniform(*BAND_AGES[band]))
            start = year_start + int(offset)
            dob = start - int(age * 365.25)
            route, days = _period_days(a, rng, band, age)
            end = start + max(1, int(days))
            if route == "at18":  # on the 18th birthday itself, as 903 records it
                end = _birthday18(dob)
            if end < _day(EXTRACT_FROM):
                continue
            name = f"S{a.name}{child:06d}"
            header.append((name, str(int(rng.choice([1, 2]))), dob))
            legal = str(rng.choice(["C2", "V2", "L1"], p=[0.65, 0.3, 0.05]))
            _placements(a, rng, rows, name, start, end, dob, band, route, legal, end_all)
    episodes = pd.DataFrame(
        rows,
        columns=["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                 "REASON_PLACE_CHANGE", "PL_LOCATION", "PL_DISTANCE", "URN"],
    )  # fmt: skip
    for column in ("DECOM", "DEC"):
        episodes[column] = _dates(episodes[column])
    head = pd.DataFrame(header, columns=["CHILD", "SEX", "DOB"])
    head["DOB"] = _dates(head["DOB"])
    return episodes, head


_EPOCH = pd.Timestamp("1970-01-01")


def _birthday18(dob: int) -> int:
    """The day (integer, from 1970) of the 18th birthday of a child born on day `dob`."""
    born = (_EPOCH + pd.Timedelta(days=dob)).date()
    try:
        birthday = born.replace(year=born.year + 18)
    except ValueError:  # 29 February
        birthday = born.replace(year=born.year + 18, day=28)
    return _day(pd.Timestamp(birthday))


def _day(t: pd.Timestamp) -> int:
    return int((t - _EPOCH).days)


def _dates(days: pd.Series) -> pd.Series:
    """Integer days (NaN for none) as datetimes."""
    values = pd.to_numeric(days, errors="coerce")
    return pd.to_datetime(values, unit="D", origin="unix")


def _placements(a, rng, rows, name, start, end, dob, band, route, legal, end_all) -> None:
    """Append the period's episodes (one per placement) to `rows`."""
    day = start
    kind = KINDS[rng.choice(6, p=a.first_kind[BANDS[band]])]
    first = True
    adoption_from = None
    if route == "adoption":
        adoption_from = end - int(min(300, (end - start) / 2))
    while True:
        if adoption_from is not None and day >= adoption_from:
            kind = "adoption"
        if kind == "adoption":
            length = end - day
            place, provider, location, distance = "A3", "PR1", "IN", 3.0
        else:
            length = max(1, int(rng.exponential(a.mean_days[kind])))
            place, provider = CODES[kind]
            location, distance = _location(a, rng, kind)
        stop = day + length
        if adoption_from is not None and kind != "adoption" and stop >= adoption_from:
            stop, reason, closing = adoption_from, "CARPL", False
        elif stop >= end:
            stop, reason, closing = end, "", True
        else:
            unplanned = rng.random() < a.unplanned_share[kind]
            reason = str(rng.choice(UNPLANNED)) if unplanned else "CARPL"
            closing = False
        if stop >= _day(EXTRACT_FROM) and day <= end_all:
            open_ = stop > end_all
            if closing:
                rec = "E17" if route == "at18" and rng.random() < 0.2 else REC.get(route, "E8")
            else:
                rec = "X1"
            urn = f"SC{int(rng.integers(100000, 100000 + 40))}" if kind.endswith("home") else ""
            rows.append(
                (name, day, "S" if first else "P", legal, "N1", place, provider,
                 None if open_ else stop, "" if open_ else rec,
                 "" if open_ or closing else reason, location, distance, urn)
            )  # fmt: skip
        if closing or stop > end_all:
            return
        day, first = stop, False
        age = (day - dob) / 365.25
        p = a.move_mix.copy()
        if age < 16:
            p[KINDS.index("supported")] = 0.0
        kind = KINDS[rng.choice(6, p=p / p.sum())]
