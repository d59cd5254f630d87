"""Validation rules across a return's episodes files, on the returns merged as `clean` merges
them: returns that disagree on an episode's DEC, overlapping episodes, X1 episodes not followed,
open episodes missing from later returns, and children missing from the header."""

from __future__ import annotations

import pandas as pd

from sufficiency_sim.ssda903 import codes
from sufficiency_sim.ssda903.clean import drop_duplicate_episodes
from sufficiency_sim.ssda903.problems import WARNING, Problem, problems_at
from sufficiency_sim.ssda903.sources import ROW_COLUMN, SOURCE_COLUMN


def _ref(source: object, row: object, here: object) -> str:
    return f"row {int(row)}" if source == here else f"{source}:{int(row)}"


def conflicting_returns(episodes: pd.DataFrame) -> list[Problem]:
    closed = episodes.loc[
        episodes["CHILD"].notna() & episodes["DECOM"].notna() & episodes["DEC"].notna()
    ]
    groups = closed.groupby(["CHILD", "DECOM"])
    differs = groups["DEC"].transform("nunique") > 1
    later = closed.duplicated(["CHILD", "DECOM"], keep="first") & differs
    first_source = groups[SOURCE_COLUMN].transform("first")
    first_row = groups[ROW_COLUMN].transform("first")
    return [
        Problem(
            str(s),
            int(r),
            "DEC",
            f"DEC differs from the same episode in {_ref(fs, fr, s)}; cleaning keeps the most "
            "complete row, then the latest return",
            severity=WARNING,
            kind="conflicting-returns",
        )
        for s, r, fs, fr in zip(
            closed.loc[later, SOURCE_COLUMN],
            closed.loc[later, ROW_COLUMN],
            first_source[later],
            first_row[later],
            strict=True,
        )
    ]


def _row_problems(
    s: str, r: int, later: str, open_then_more: bool, overlap: bool, unfollowed: bool
) -> list[Problem]:
    """The sequence problems of one merged episode (`later` refers to the child's next one)."""
    problems: list[Problem] = []
    if open_then_more:
        problems.append(
            Problem(
                s,
                r,
                "DEC",
                f"open episode, but the child has a later episode "
                f"({later}); cleaning closes it there",
                kind="overlap",
            )
        )
    elif overlap:
        problems.append(
            Problem(
                s,
                r,
                "DEC",
                f"episode ends after the child's next episode "
                f"({later}) starts; cleaning ends it there",
                kind="overlap",
            )
        )
    if unfollowed and not overlap:
        detail = (
            f"the next episode ({later}) starts on another day"
            if later
            else ("there is no later episode")
        )
        problems.append(
            Problem(
                s,
                r,
                "REC",
                f"REC is X1 but no episode of this child starts on DEC: {detail}",
                kind="x1-not-followed",
            )
        )
    return problems


def sequence_problems(episodes: pd.DataFrame) -> list[Problem]:
    """Overlaps, unfollowed X1 and stale open episodes, on the merged returns."""
    usable = episodes.loc[
        episodes["CHILD"].notna()
        & episodes["DECOM"].notna()
        & ~(episodes["DEC"] < episodes["DECOM"]).fillna(False)
    ]
    rank = pd.Series(pd.factorize(usable[SOURCE_COLUMN])[0], index=usable.index)
    last_rank_of_episode = rank.groupby([usable["CHILD"], usable["DECOM"]]).transform("max")
    merged = drop_duplicate_episodes(usable.assign(_last=last_rank_of_episode))
    merged = merged.sort_values(["CHILD", "DECOM"], kind="stable").reset_index(drop=True)
    by_child = merged.groupby("CHILD", sort=False)
    nxt = pd.DataFrame({c: by_child[c].shift(-1) for c in ("DECOM", SOURCE_COLUMN, ROW_COLUMN)})
    has_next = nxt["DECOM"].notna()
    problems: list[Problem] = []
    open_then_more = merged["DEC"].isna() & has_next
    overlap = merged["DEC"].notna() & has_next & (merged["DEC"] > nxt["DECOM"])
    unfollowed = (
        (merged["REC"] == codes.CONTINUES_EPISODE_REC).fillna(False)
        & merged["DEC"].notna()
        & ~(nxt["DECOM"] == merged["DEC"]).fillna(False)
    )
    for i in merged.index[open_then_more | overlap | unfollowed]:
        s, r = merged.at[i, SOURCE_COLUMN], merged.at[i, ROW_COLUMN]
        later = _ref(nxt.at[i, SOURCE_COLUMN], nxt.at[i, ROW_COLUMN], s) if has_next[i] else ""
        problems += _row_problems(
            s, int(r), later, bool(open_then_more[i]), bool(overlap[i]), bool(unfollowed[i])
        )
    n_returns = int(rank.max()) + 1 if len(rank) else 0
    stale = merged["DEC"].isna() & ~has_next & (merged["_last"] < n_returns - 1)
    problems += problems_at(
        merged,
        stale,
        "DEC",
        "open episode missing from the later return(s): its end is unknown and it stays open",
        WARNING,
        "open-not-in-later-return",
    )
    return problems


def header_link_problems(episodes: pd.DataFrame, header: pd.DataFrame) -> list[Problem]:
    known = header.loc[header["CHILD"].notna()]
    episodes = episodes.loc[episodes["CHILD"].notna()]
    missing = ~episodes["CHILD"].isin(known["CHILD"]) & ~episodes["CHILD"].duplicated()
    problems = problems_at(
        episodes,
        missing,
        "CHILD",
        "this child (first episode at this row) is not in the header file(s)",
        kind="not-in-header",
    )
    dob = known.drop_duplicates("CHILD", keep="last").set_index("CHILD")["DOB"]
    child_dob = pd.Series(
        dob.reindex(episodes["CHILD"].to_numpy()).to_numpy(), index=episodes.index
    )
    problems += problems_at(
        episodes,
        (episodes["DECOM"] < child_dob).fillna(False),
        "DECOM",
        "episode starts before the child's date of birth in the header",
        kind="before-birth",
    )
    return problems
