"""Clean canonical 903 frames: merge several years' returns into one consistent history.

Episode rules, applied in this order and each counted in a `CleaningReport`:

1. ``missing_child_or_decom``: drop rows without CHILD or DECOM.
2. ``dec_before_decom``: drop rows whose DEC is before their DECOM (they cover no day).
3. ``duplicates``: several returns hold the same episode (an episode open on 31 March appears
   again in the next year's return). Of the rows with the same (CHILD, DECOM) keep the most
   complete: a non-blank DEC first, then the most non-blank fields, then the latest return
   (the later ``_source`` in the frame's order, which `read` makes oldest first; then the
   later row). A stale open episode that a later return shows closed goes here.
4. ``open_truncated``: an open episode followed by a later episode of the same child (a stale
   open episode that the later returns superseded) is closed on the next episode's DECOM; a
   blank REC becomes X1, since the child was still looked after the next day.
5. ``overlaps_truncated``: a closed episode whose DEC is after the DECOM of the child's next
   episode gets DEC = that DECOM (REC unchanged).
6. ``zero_length``: drop episodes that 4-5 left with DEC = DECOM. After rule 3 the next DECOM
   is always later, so this is a guard for frames that skipped it.

The result is sorted by CHILD and DECOM; ``_source``/``_row`` are kept when present.
Header rule: keep one row per CHILD, from the latest return (rows without CHILD dropped).

The report holds counts only and never names a child.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sufficiency_sim.ssda903.codes import CONTINUES_EPISODE_REC
from sufficiency_sim.ssda903.schema import EPISODE_COLUMNS, EPISODE_DERIVED_COLUMNS
from sufficiency_sim.ssda903.sources import SOURCE_COLUMN

RULES: tuple[tuple[str, str], ...] = (
    ("episodes_in", "episode rows read"),
    ("missing_child_or_decom", "dropped: no CHILD or no DECOM"),
    ("dec_before_decom", "dropped: DEC before DECOM"),
    ("duplicates", "dropped: same (CHILD, DECOM) as a more complete or later row"),
    ("open_truncated", "open episodes closed at the child's next DECOM (blank REC set to X1)"),
    ("overlaps_truncated", "episodes overlapping the child's next one: DEC set to its DECOM"),
    ("zero_length", "dropped: zero-length after truncation"),
    ("episodes_out", "episode rows kept"),
    ("header_in", "header rows read"),
    ("header_missing_child", "header rows dropped: no CHILD"),
    ("header_duplicates", "header rows dropped: child in a later return"),
    ("header_out", "header rows kept (one per child)"),
)
"""(field, description) of each count in `CleaningReport`, in report order."""


@dataclass
class CleaningReport:
    """How many rows each cleaning rule touched. Counts only: it never names a child."""

    episodes_in: int = 0
    missing_child_or_decom: int = 0
    dec_before_decom: int = 0
    duplicates: int = 0
    open_truncated: int = 0
    overlaps_truncated: int = 0
    zero_length: int = 0
    episodes_out: int = 0
    header_in: int = 0
    header_missing_child: int = 0
    header_duplicates: int = 0
    header_out: int = 0

    def merge(self, other: CleaningReport) -> CleaningReport:
        """A report whose counts are the sums of this one's and `other`'s."""
        return CleaningReport(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in _fields()}
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per rule: ``rule``, ``description``, ``count``."""
        return pd.DataFrame(
            {
                "rule": [name for name, _ in RULES],
                "description": [text for _, text in RULES],
                "count": [int(getattr(self, name)) for name, _ in RULES],
            }
        )

    def to_text(self) -> str:
        """A readable multi-line summary (sections with no rows read are left out)."""
        lines = ["903 cleaning:"]
        width = max(len(text) for _, text in RULES)
        for name, text in RULES:
            if name.startswith("header") and self.header_in == 0:
                continue
            if not name.startswith("header") and self.episodes_in == 0:
                continue
            lines.append(f"  {text:<{width}}  {getattr(self, name):>7}")
        return "\n".join(lines)


def _fields() -> tuple[dataclasses.Field, ...]:
    return dataclasses.fields(CleaningReport)


def _return_rank(frame: pd.DataFrame) -> np.ndarray:
    """0 for the oldest return, increasing with later ones (order of first appearance)."""
    if SOURCE_COLUMN not in frame.columns:
        return np.zeros(len(frame), dtype=np.int64)
    codes, _ = pd.factorize(frame[SOURCE_COLUMN], use_na_sentinel=False)
    return codes


def _content_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in (*EPISODE_COLUMNS, *EPISODE_DERIVED_COLUMNS) if c in frame.columns]


def drop_duplicate_episodes(episodes: pd.DataFrame) -> pd.DataFrame:
    """Keep one row per (CHILD, DECOM): non-blank DEC, then most complete, then latest return."""
    ranked = episodes.assign(
        _has_dec=episodes["DEC"].notna(),
        _filled=episodes[_content_columns(episodes)].notna().sum(axis=1),
        _rank=_return_rank(episodes),
        _pos=np.arange(len(episodes)),
    ).sort_values(
        ["CHILD", "DECOM", "_has_dec", "_filled", "_rank", "_pos"],
        ascending=[True, True, False, False, False, False],
        kind="stable",
    )
    kept = ranked.loc[~ranked.duplicated(["CHILD", "DECOM"], keep="first")]
    return kept.sort_values("_pos").drop(columns=["_has_dec", "_filled", "_rank", "_pos"])


def truncate_overlaps(episodes: pd.DataFrame) -> tuple[pd.DataFrame, int, int, int]:
    """End each episode no later than the child's next DECOM; drop zero-length results.

    Returns the frame sorted by CHILD, DECOM and the counts (open truncated, closed truncated,
    zero-length dropped).
    """
    frame = episodes.sort_values(["CHILD", "DECOM"], kind="stable").reset_index(drop=True)
    next_decom = frame.groupby("CHILD", sort=False)["DECOM"].shift(-1)
    has_next = next_decom.notna()
    open_cut = has_next & frame["DEC"].isna()
    closed_cut = has_next & frame["DEC"].notna() & (frame["DEC"] > next_decom)
    cut = open_cut | closed_cut
    frame["DEC"] = frame["DEC"].mask(cut, next_decom)
    frame["REC"] = frame["REC"].mask(open_cut & frame["REC"].isna(), CONTINUES_EPISODE_REC)
    zero = cut & (frame["DEC"] <= frame["DECOM"])
    frame = frame.loc[~zero].reset_index(drop=True)
    return frame, int(open_cut.sum()), int(closed_cut.sum()), int(zero.sum())


def clean_episodes(episodes: pd.DataFrame) -> tuple[pd.DataFrame, CleaningReport]:
    """Apply the episode cleaning rules (module docstring) to a canonical episodes frame.

    Returns the cleaned frame (sorted by CHILD, DECOM; index 0..n-1) and the counts.
    """
    report = CleaningReport(episodes_in=len(episodes))
    usable = episodes["CHILD"].notna() & episodes["DECOM"].notna()
    report.missing_child_or_decom = int((~usable).sum())
    frame = episodes.loc[usable]

    backwards = frame["DEC"].notna() & (frame["DEC"] < frame["DECOM"])
    report.dec_before_decom = int(backwards.sum())
    frame = frame.loc[~backwards]

    deduplicated = drop_duplicate_episodes(frame)
    report.duplicates = len(frame) - len(deduplicated)

    cleaned, opened, closed, zero = truncate_overlaps(deduplicated)
    report.open_truncated, report.overlaps_truncated, report.zero_length = opened, closed, zero
    report.episodes_out = len(cleaned)
    return cleaned, report


def clean_header(header: pd.DataFrame) -> tuple[pd.DataFrame, CleaningReport]:
    """Keep one header row per CHILD: the latest return's (the last in frame order).

    Rows without CHILD are dropped. Returns the frame sorted by CHILD and the counts.
    """
    report = CleaningReport(header_in=len(header))
    usable = header["CHILD"].notna()
    report.header_missing_child = int((~usable).sum())
    frame = header.loc[usable]
    latest = ~frame["CHILD"].duplicated(keep="last")
    report.header_duplicates = int((~latest).sum())
    cleaned = frame.loc[latest].sort_values("CHILD", kind="stable").reset_index(drop=True)
    report.header_out = len(cleaned)
    return cleaned, report
