"""Turn a multi-year SSDA903 extract into the periods of care and placements of a window.

`prepare` takes the canonical episodes and header frames of `sufficiency_sim.ssda903.read`
(several years' returns concatenated, not cleaned), cleans them, and returns an `Extract`: one
row per period of care that overlaps the window ``[window_start, window_end]`` (both days
inclusive) and one row per placement of those periods, coded in the model's terms (provision
kinds, routes out of care, age bands). Nothing in it identifies a child: children are numbered
``child_key`` 0..n-1 (an internal index, never the CHILD value) and no postcode is kept; the
``dob`` column is for the estimators' arithmetic only and must never be written out.

Rules, applied in this order. Each is counted in ``Extract.rules`` under its name; none stops
the run, whatever the data hold.

``episodes_in``
    Episode rows given.
``short_breaks``
    Episode rows with LS V3/V4 (an agreed series of short breaks) are dropped first, as the
    DfE's statistics and the indicators do.
``missing_child_or_decom``, ``dec_before_decom``, ``duplicates``, ``open_truncated``,
``overlaps_truncated``, ``zero_length``
    The 903 cleaning rules of `sufficiency_sim.ssda903.clean` (merge the overlapping annual
    returns, close an open episode at the child's next DECOM, cut overlaps), counted there.
``header_missing_child``, ``header_duplicates``
    Header rows without CHILD dropped; one header row per child kept (the latest return's).
``stale_open_closed``
    An open episode whose child is absent from every later return of the extract (a child
    looked after on 31 March of year Y is in the return of year Y+1 if still looked after on
    1 April): the last return that holds the child vouches for the child being looked after
    until its 31 March and no further, so the episode is closed on the next day (1 April) with
    an unknown reason, and the period is *censored* there: no exit is invented (the route is
    NA) and the child is not counted as still in care at the window's end. Leaving it open would
    keep a child no return shows in the census and inflate time in care. Applies only when the
    extract holds several returns (the ``_source`` column names the files); a closure that falls
    after ``window_end`` is cut back to open there (the child was looked after at the end).
``episodes_after_window``
    Episodes starting after ``window_end`` are dropped.
``ends_after_window``
    An episode ending after ``window_end`` is made open (DEC, REC and REASON_PLACE_CHANGE
    blank): what happened later is outside the window.
``periods_before_window``
    Periods of care that ended on or before ``window_start`` (no day looked after in the
    window) are dropped. Periods of care join episodes where the earlier one has REC X1 and the
    later starts on its DEC (as the indicators do).
``dob_missing``, ``dob_impossible``
    Periods of a child with no usable DOB in the header, or whose DOB is after the period's
    start or 18 or more years before it, are dropped: age at entry, the age band and the
    18th birthday cannot be known.
``uasc_children``, ``uasc_periods_excluded``
    Children listed in the UASC table (``uasc``) with periods in the window are counted; with
    ``exclude_uasc=True`` their periods are dropped and counted. The periods frame flags them
    (``uasc``) either way.
``left_truncated``
    Periods that started before ``window_start`` are kept and flagged: estimators condition
    them on having lasted until the window started (``entry_days``).
``start_unknown``
    Left-truncated periods whose first episode in the extract is not RNE S: the earlier
    episodes are older than the first return, so the period started earlier than its recorded
    start. Kept with the recorded start (a lower bound on its time in care) and
    ``start_known=False``; the time-in-care fit leaves them out.
``x1_gap``
    Periods whose last episode has REC X1 but no episode follows on its DEC (not an exit from
    care by the code, yet the child is not looked after next): censored at that DEC, route NA.
``rec_unknown``
    Periods ending with a blank or unknown REC: kept, route ``other``.
``ls_unknown``
    Periods whose first LS is blank or not an LS code: kept, ``legal_at_entry`` as found.
``place_unknown``
    Placements with a blank or unknown PLACE code: kept, kind ``other``.
``location_unknown``
    Placements with a blank PL_LOCATION (or a value other than IN/OUT): location NA.
``periods_out``, ``placements_out``, ``children_out``
    What the extract holds.

Window cuts follow the indicators' conventions: intervals are half-open ``[start, end)``, so a
period with ``end == window_start`` was last looked after the day before the window and is
dropped; ``end`` after ``window_end`` means still looked after on ``window_end`` (open).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sufficiency_sim.calibration.coding import (
    age_band_of_years,
    birthday,
    completed_years,
    exit_route,
    placement_kinds,
    placement_locations,
)
from sufficiency_sim.calibration.extract import (
    PLACEMENT_COLUMNS,
    RULES,
    Extract,
    empty_extract,
    typed_periods,
    typed_placements,
)
from sufficiency_sim.calibration.reading import (
    canonical_episodes,
    canonical_header,
    return_years,
    uasc_children,
)
from sufficiency_sim.measure.indicators import placements_from_episodes
from sufficiency_sim.ssda903.clean import clean_episodes, clean_header
from sufficiency_sim.ssda903.codes import (
    CONTINUES_EPISODE_REC,
    SHORT_BREAK_LS,
    UNPLANNED_REASONS,
    all_codes,
)

__all__ = ["prepare"]

_SEX = {"1": 1, "2": 2, "M": 1, "F": 2}
_CLEANING_RULES = (
    "missing_child_or_decom",
    "dec_before_decom",
    "duplicates",
    "open_truncated",
    "overlaps_truncated",
    "zero_length",
)


def _close_stale(
    frame: pd.DataFrame, child_last_year: pd.Series, max_year: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """Close the open last episode of children absent from every later return (rule doc)."""
    last_of_child = ~frame["CHILD"].duplicated(keep="last").to_numpy()
    last_year = frame["CHILD"].map(child_last_year).astype("float64").to_numpy()
    stale = last_of_child & frame["DEC"].isna().to_numpy() & (last_year < max_year)
    if stale.any():
        close = pd.to_datetime(
            pd.DataFrame({"year": last_year[stale].astype("int64"), "month": 4, "day": 1})
        ).to_numpy()
        decom = frame["DECOM"].to_numpy()[stale]
        close = np.maximum(close, decom + np.timedelta64(1, "D"))
        dec = frame["DEC"].to_numpy().copy()
        dec[stale] = close
        frame["DEC"] = dec
        frame.loc[stale, "REC"] = pd.NA
    return frame, stale


def prepare(
    episodes: pd.DataFrame,
    header: pd.DataFrame,
    window_start: object,
    window_end: object,
    uasc: pd.DataFrame | None = None,
    exclude_uasc: bool = False,
) -> Extract:
    """Clean an extract and cut it to the window (module doc). Never raises on messy data.

    Args:
        episodes, header: canonical frames of `ssda903.read_episodes` / `read_header` (several
            returns concatenated, not cleaned); hand-built frames with the 903 columns as text
            or dates also work.
        window_start, window_end: first and last day of the window (both inclusive), usually
            `default_window`'s.
        uasc: the 903 UASC table (at least ``CHILD``), e.g. from `read_uasc`.
        exclude_uasc: drop the periods of the children in `uasc` (otherwise only count them).
    """
    ws = pd.Timestamp(window_start).normalize()
    we = pd.Timestamp(window_end).normalize()
    if we < ws:
        raise ValueError(f"window_end {we.date()} is before window_start {ws.date()}")
    rules: dict[str, int] = {"episodes_in": len(episodes)}
    cleaned, stale = _cleaned_episodes(episodes, we, rules)
    head, head_report = clean_header(canonical_header(header))
    rules["header_missing_child"] = int(head_report.header_missing_child)
    rules["header_duplicates"] = int(head_report.header_duplicates)
    cleaned, stale = _cut_at_window_end(cleaned, stale, we, rules)
    if cleaned.empty:
        return empty_extract(rules, ws, we)
    periods, episode_period = _periods_of_care(cleaned, stale)
    periods = _with_child(periods, head, uasc, exclude_uasc, ws, rules)
    if periods.empty:
        return empty_extract(rules, ws, we)
    kept_episodes = cleaned.loc[np.isin(episode_period, periods["_period"].to_numpy())]
    periods["child_key"] = pd.factorize(periods["CHILD"], sort=True)[0].astype("int64")
    periods = periods.sort_values(["child_key", "start"], kind="stable").reset_index(drop=True)
    periods["period_id"] = np.arange(len(periods), dtype="int64")
    periods = _coded_periods(periods, ws, rules)
    placements = _placements(kept_episodes, periods, rules)
    periods["n_placements"] = (
        placements["period_id"].value_counts().reindex(periods["period_id"], fill_value=0)
    ).to_numpy(dtype="int64")
    rules["periods_out"] = len(periods)
    rules["placements_out"] = len(placements)
    rules["children_out"] = int(periods["child_key"].nunique())
    for name, _ in RULES:
        rules.setdefault(name, 0)
    return Extract(
        periods=typed_periods(periods),
        placements=typed_placements(placements),
        rules={name: int(rules[name]) for name, _ in RULES},
        window_start=ws,
        window_end=we,
    )


def _cleaned_episodes(
    episodes: pd.DataFrame, we: pd.Timestamp, rules: dict[str, int]
) -> tuple[pd.DataFrame, np.ndarray]:
    """Short breaks dropped, the 903 cleaning rules applied, stale open episodes closed."""
    frame = canonical_episodes(episodes)
    # Returns each child appears in, before anything is dropped (for the stale-open rule).
    years = return_years(frame)
    child_last_year = None
    if years is not None:
        child_last_year = years.groupby(frame["CHILD"].fillna("")).max()
        max_year = int(years.max())
    short = frame["LS"].isin(SHORT_BREAK_LS).fillna(False).to_numpy(dtype=bool)
    rules["short_breaks"] = int(short.sum())
    frame = frame.loc[~short]
    cleaned, report = clean_episodes(frame)
    for name in _CLEANING_RULES:
        rules[name] = int(getattr(report, name))
    cleaned = cleaned.reset_index(drop=True)
    stale = np.zeros(len(cleaned), dtype=bool)
    if child_last_year is not None and len(cleaned):
        cleaned, stale = _close_stale(cleaned, child_last_year, max_year)
    return cleaned, stale


def _cut_at_window_end(
    cleaned: pd.DataFrame, stale: np.ndarray, we: pd.Timestamp, rules: dict[str, int]
) -> tuple[pd.DataFrame, np.ndarray]:
    """Drop what starts after the window's end, open what ends after it."""
    after = (cleaned["DECOM"] > we).to_numpy()
    rules["episodes_after_window"] = int(after.sum())
    cleaned = cleaned.loc[~after].reset_index(drop=True)
    stale = stale[~after]
    late = (cleaned["DEC"] > we).fillna(False).to_numpy(dtype=bool)
    rules["ends_after_window"] = int((late & ~stale).sum())
    cleaned.loc[late, ["DEC"]] = pd.NaT
    cleaned.loc[late, ["REC", "REASON_PLACE_CHANGE"]] = pd.NA
    stale &= ~late
    rules["stale_open_closed"] = int(stale.sum())
    return cleaned, stale


def _periods_of_care(cleaned: pd.DataFrame, stale: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per period of care (episodes joined where REC X1 meets the next DECOM), and the
    period of each episode."""
    child = cleaned["CHILD"].to_numpy(dtype=object)
    decom = cleaned["DECOM"].to_numpy()
    dec = cleaned["DEC"].to_numpy()
    rec = cleaned["REC"].fillna("").to_numpy(dtype=object)
    same_prev = np.append(False, child[1:] == child[:-1])
    prev_x1 = np.append(False, rec[:-1] == CONTINUES_EPISODE_REC)
    prev_dec = np.append(np.datetime64("NaT"), dec[:-1])
    linked = same_prev & prev_x1 & (prev_dec == decom)
    new_period = ~linked
    episode_period = np.cumsum(new_period) - 1
    first = np.flatnonzero(new_period)
    last = np.append(first[1:] - 1, len(cleaned) - 1)
    periods = pd.DataFrame(
        {
            "CHILD": child[first],
            "start": decom[first],
            "end": dec[last],
            "exit_code": cleaned["REC"].to_numpy()[last],
            "legal_at_entry": cleaned["LS"].to_numpy()[first],
            "first_rne": cleaned["RNE"].fillna("").to_numpy(dtype=object)[first],
            "stale": stale[last],
        }
    )
    periods["exit_code"] = periods["exit_code"].astype("string").where(periods["end"].notna())
    return periods, episode_period


def _with_child(
    periods: pd.DataFrame,
    head: pd.DataFrame,
    uasc: pd.DataFrame | None,
    exclude_uasc: bool,
    ws: pd.Timestamp,
    rules: dict[str, int],
) -> pd.DataFrame:
    """The periods in the window with a usable DOB (and sex) from the header, UASC flagged or
    excluded; ``_period`` numbers them as `_periods_of_care` did."""
    before = (periods["end"] <= ws).fillna(False).to_numpy(dtype=bool)
    rules["periods_before_window"] = int(before.sum())
    head = head.drop_duplicates("CHILD", keep="last").set_index("CHILD")
    periods["dob"] = periods["CHILD"].map(head["DOB"]).astype("datetime64[ns]")
    periods["sex"] = periods["CHILD"].map(head["SEX"]).map(_SEX).astype("Int64")
    missing = periods["dob"].isna().to_numpy()
    birthday18 = birthday(periods["dob"], 18)
    impossible = ~missing & (
        (periods["dob"] > periods["start"]) | (birthday18 <= periods["start"])
    ).fillna(True).to_numpy(dtype=bool)
    rules["dob_missing"] = int((missing & ~before).sum())
    rules["dob_impossible"] = int((impossible & ~before).sum())
    periods["uasc"] = periods["CHILD"].isin(uasc_children(uasc)).to_numpy(dtype=bool)
    keep = ~before & ~missing & ~impossible
    rules["uasc_children"] = int(periods.loc[keep & periods["uasc"], "CHILD"].nunique())
    excluded = keep & periods["uasc"].to_numpy() if exclude_uasc else np.zeros_like(keep)
    rules["uasc_periods_excluded"] = int(excluded.sum())
    keep &= ~excluded
    periods["_period"] = np.arange(len(periods))
    periods["birthday18"] = birthday18
    return periods.loc[keep].reset_index(drop=True)


def _coded_periods(periods: pd.DataFrame, ws: pd.Timestamp, rules: dict[str, int]) -> pd.DataFrame:
    """Age at entry, band, days to 18, left truncation, route out of care, censoring."""
    start = periods["start"]
    periods["age_at_entry_days"] = (start - periods["dob"]).dt.days.astype("int64")
    periods["age_band"] = pd.array(
        age_band_of_years(completed_years(periods["dob"], start)), dtype="string"
    )
    periods["days_to_18"] = (periods["birthday18"] - start).dt.days.astype("int64")
    periods["left_truncated"] = (start < ws).to_numpy(dtype=bool)
    periods["entry_days"] = np.where(periods["left_truncated"], (ws - start).dt.days, 0).astype(
        "int64"
    )
    periods["start_known"] = ~periods["left_truncated"] | (periods["first_rne"] == "S")
    x1_gap = periods["end"].notna() & (periods["exit_code"].fillna("") == CONTINUES_EPISODE_REC)
    ended = periods["end"].notna() & ~periods["stale"] & ~x1_gap
    route = exit_route(periods["exit_code"], periods["end"], periods["birthday18"])
    periods["route"] = route.where(ended)
    periods["censored"] = ~ended.to_numpy(dtype=bool)
    rules["left_truncated"] = int(periods["left_truncated"].sum())
    rules["start_unknown"] = int((~periods["start_known"]).sum())
    rules["x1_gap"] = int(x1_gap.sum())
    known_rec = all_codes("REC") - {CONTINUES_EPISODE_REC}
    rules["rec_unknown"] = int((ended & ~periods["exit_code"].fillna("").isin(known_rec)).sum())
    rules["ls_unknown"] = int((~periods["legal_at_entry"].fillna("").isin(all_codes("LS"))).sum())
    return periods


def _placements(episodes: pd.DataFrame, periods: pd.DataFrame, rules: dict) -> pd.DataFrame:
    """The placements of the kept periods (indicators' rules), coded in the model's kinds."""
    derived = placements_from_episodes(episodes)
    if derived.empty:
        rules["place_unknown"] = rules["location_unknown"] = 0
        return pd.DataFrame({c: pd.Series(dtype="object") for c in PLACEMENT_COLUMNS})
    keys = periods[["CHILD", "start", "period_id", "child_key", "end", "dob"]].rename(
        columns={"start": "period_start", "end": "_period_end"}
    )
    derived = derived.drop(columns=["period_id"]).merge(
        keys.astype({"CHILD": "string"}), on=["CHILD", "period_start"], how="inner"
    )
    first_episode = episodes[["CHILD", "DECOM", "PL_LOCATION", "PL_DISTANCE"]].rename(
        columns={"DECOM": "start"}
    )
    derived = derived.merge(
        first_episode.astype({"CHILD": "string"}), on=["CHILD", "start"], how="left"
    )
    derived = derived.sort_values(["period_id", "placement_seq"], kind="stable").reset_index(
        drop=True
    )
    location = placement_locations(derived["PL_LOCATION"], derived["PL_DISTANCE"])
    place = derived["PLACE"]
    kind = placement_kinds(place, derived["PLACE_PROVIDER"], pd.Series(location))
    reason = derived["last_reason"]
    open_ = derived["end"].isna()
    unplanned = ~open_ & reason.fillna("").isin(UNPLANNED_REASONS)
    exit_ = (
        ~open_
        & ~unplanned
        & derived["_period_end"].notna()
        & (derived["end"] == derived["_period_end"])
    )
    ending = np.select(
        [open_, unplanned, exit_], ["open", "unplanned", "exit"], default="planned"
    ).astype(object)
    rules["place_unknown"] = int((~place.fillna("").isin(all_codes("PLACE"))).sum())
    rules["location_unknown"] = int(pd.isna(location).sum())
    age = completed_years(derived["dob"], derived["start"])
    return pd.DataFrame(
        {
            "period_id": derived["period_id"],
            "child_key": derived["child_key"],
            "seq": derived["placement_seq"],
            "start": derived["start"],
            "end": derived["end"],
            "kind": kind,
            "place": place,
            "provider": derived["PLACE_PROVIDER"],
            "location": location,
            "distance": derived["PL_DISTANCE"],
            "reason": reason,
            "ending": ending,
            "age_band": age_band_of_years(age.clip(upper=17)),
        }
    )
