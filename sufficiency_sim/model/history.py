"""What a replication did, turned into SSDA903 episodes and header plus two audit tables.

Columns come out as plain lists (dates as proleptic Gregorian ordinals) so that the model needs
no pandas; the experiment layer turns them into frames. Children who left care before the start
date are left out: they cannot affect any reported year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sufficiency_sim.model.coding import new_episode_reason
from sufficiency_sim.model.header import HeaderDraws, header_fields

Columns = dict[str, list[Any]]

# The 903 column lists are restated here (not imported from sufficiency_sim.ssda903, whose
# package pulls in pandas); tests/unit/test_history.py checks they match ssda903.schema.
EPISODE_FIELDS = (
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
    "PL_LOCATION",
    "PL_DISTANCE",
)
HEADER_FIELDS = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
UASC_FIELDS = ("CHILD", "SEX", "DOB", "DUC")
"""The 903 UASC table: one row per unaccompanied asylum-seeking child in the history."""
PLACEMENT_FIELDS = (
    "child",
    "start",
    "end",
    "provision_type",
    "resource_id",
    "location",
    "distance",
    "ending_reason",
    "planned",
    "bridging",
    "place",
    "provider",
    "price_factor",
)
PROVISION_FIELDS = ("resource_id", "provision_type", "name", "places", "from", "to")
"""One row per household, and per local home and period of unchanged beds (an option that
changes a home's beds on the start date splits its row there)."""
NO_URN_PLACES = frozenset(
    {"P1", "P2", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z1", "Z11", "Z12"}
    | {"Z13", "Z14"}
)
"""PLACE codes of settings with no Ofsted URN: their episodes leave URN blank (validator rule
222). The placement's resource id stays in the placements audit table."""
SUPPORTED_URN_FROM = date(2023, 4, 1)
"""Supported accommodation (H5) placed from this day has a URN (the Supported Accommodation
(England) Regulations 2023 brought registration with Ofsted; the validator's 2022/23 rule 222
forbids a URN for H5 and its 2024/25 rule 218 requires one). Placements started before keep none
in every return, so that an episode's URN never changes from one year's return to the next
(rule 503F)."""


@dataclass
class RunHistory:
    """One replication's output: 903 tables and audit tables as columns of plain values."""

    episodes: Columns
    header: Columns
    placements: Columns
    provision: Columns
    start_ordinal: int
    end_ordinal: int
    stats: dict[str, int] = field(default_factory=dict)
    uasc: Columns = field(default_factory=lambda: _columns(UASC_FIELDS))


def _columns(names: tuple[str, ...]) -> Columns:
    return {name: [] for name in names}


def child_id(index: int) -> str:
    """The synthetic CHILD identifier of the index-th simulated child."""
    return f"SIM{index + 1:07d}"


def _legal_status_on(legal: list[tuple[int, str]], day: int) -> str:
    status = legal[0][1]
    for change_day, code in legal:
        if change_day <= day:
            status = code
        else:
            break
    return status


def build_history(sim: Any) -> RunHistory:
    """Convert the simulation's children, placements and provision into output columns."""
    ord0 = sim.ord0
    episodes, header = _columns(EPISODE_FIELDS), _columns(HEADER_FIELDS)
    placements, uasc = _columns(PLACEMENT_FIELDS), _columns(UASC_FIELDS)
    # One row of header draws per child, taken after the run: child i always gets row i.
    draws = sim.streams.get("header").random((len(sim.children), len(HeaderDraws._fields)))
    for child in sim.children:
        kept = [p for p in child.placements if p.end is None or p.end > p.start]
        if not kept or (child.left and kept[-1].end < sim.start_day):
            continue
        cid = child_id(child.idx)
        first_row = len(episodes["CHILD"])
        _child_episodes(child, kept, cid, ord0, episodes, sim.end_day)
        last_day = kept[-1].end if child.left else sim.end_day - 1
        ethnic, upn, mother, mc_dob = header_fields(
            sim.sc.header,
            child,
            ord0 + child.dob,
            ord0 + kept[0].start,
            ord0 + last_day,
            [d for d in episodes["DEC"][first_row:] if d is not None],
            HeaderDraws._make(draws[child.idx].tolist()),
        )
        for name, value in zip(
            HEADER_FIELDS,
            (cid, str(child.sex), ord0 + child.dob, ethnic, upn, mother, mc_dob),
            strict=True,
        ):
            header[name].append(value)
        _placement_rows(kept, cid, ord0, placements)
        if child.uasc:
            _uasc_row(sim, child, cid, kept, uasc)
    return RunHistory(
        episodes=episodes,
        header=header,
        placements=placements,
        provision=_provision_columns(sim),
        start_ordinal=ord0 + sim.start_day,
        end_ordinal=ord0 + sim.end_day,
        stats={
            "events": sim.events,
            "entries": sim.entries,
            "exits": sim.exits,
            "children": len(sim.children),
            **sim.census_stats,
        },
        uasc=uasc,
    )


def _uasc_row(sim: Any, child: Any, cid: str, kept: list, uasc: Columns) -> None:
    """The child's row of the 903 UASC table. DUC (the day UASC status ceased) is the day it
    left care at 18, or when an age assessment found it an adult (E15); blank otherwise (the
    model does not simulate asylum decisions)."""
    ceased = None
    if child.left and (kept[-1].end >= sim.birthday(child, 18) or child.exit_rec == "E15"):
        ceased = sim.ord0 + kept[-1].end
    row = (cid, str(child.sex), sim.ord0 + child.dob, ceased)
    for name, value in zip(UASC_FIELDS, row, strict=True):
        uasc[name].append(value)


def _placement_rows(kept: list, cid: str, ord0: int, placements: Columns) -> None:
    """One row of the placements audit table per placement kept."""
    for p in kept:
        placements["child"].append(cid)
        placements["start"].append(ord0 + p.start)
        placements["end"].append(None if p.end is None else ord0 + p.end)
        placements["provision_type"].append(p.kind)
        placements["resource_id"].append(p.rid)
        placements["location"].append(p.location)
        placements["distance"].append(p.distance)
        placements["ending_reason"].append(p.reason)
        placements["planned"].append(None if p.end is None else p.planned)
        placements["bridging"].append(p.bridging)
        placements["place"].append(p.place)
        placements["provider"].append(p.provider)
        placements["price_factor"].append(p.price_factor)


def _provision_columns(sim: Any) -> Columns:
    """The provision audit table: one row per household, and per home and period of beds."""
    ord0 = sim.ord0
    provision = _columns(PROVISION_FIELDS)
    for household in sim.foster:
        provision["resource_id"].append(household.rid)
        provision["provision_type"].append(
            "emergency_foster" if household.emergency else "inhouse_foster"
        )
        provision["name"].append(None)
        provision["places"].append(household.approved)
        provision["from"].append(ord0 + household.start)
        provision["to"].append(None if household.end is None else ord0 + household.end)
    for home in sim.homes:  # one row per period of unchanged beds
        bounds = [max(day, home.open_day) for day, _ in home.periods[1:]]
        starts, ends = [home.open_day, *bounds], [*bounds, home.close_day]
        for (_, beds), start, end in zip(home.periods, starts, ends, strict=True):
            if end is not None and end <= start and len(home.periods) > 1:
                continue  # a change before the home opened
            provision["resource_id"].append(home.rid)
            provision["provision_type"].append("local_home")
            provision["name"].append(home.name)
            provision["places"].append(beds)
            provision["from"].append(ord0 + start)
            provision["to"].append(None if end is None else ord0 + end)
    return provision


def _urn(placement, ord0: int) -> str | None:
    """The URN written on the placement's episodes: its resource id, or none (see above)."""
    if placement.place in NO_URN_PLACES:
        return None
    if placement.place == "H5" and ord0 + placement.start < SUPPORTED_URN_FROM.toordinal():
        return None
    return placement.rid


def _child_episodes(child, kept: list, cid: str, ord0: int, out: Columns, end_day: int) -> None:
    """Split the child's placements at legal status changes (up to the end of the run) into
    903 episodes."""
    legal = [change for change in child.legal if change[0] < end_day]
    rows: list[list[Any]] = []
    previous_ls = None
    last_index = len(kept) - 1
    for index, p in enumerate(kept):
        cuts = [p.start] + [d for d, _ in legal if p.start < d and (p.end is None or d < p.end)]
        for cut_index, day in enumerate(cuts):
            ls = _legal_status_on(legal, day)
            rne = new_episode_reason(not rows, cut_index == 0, p.same_carer, ls != previous_ls)
            end = cuts[cut_index + 1] if cut_index + 1 < len(cuts) else p.end
            last_of_placement = cut_index == len(cuts) - 1
            reason = p.reason if last_of_placement and index < last_index else None
            rows.append(
                [
                    cid,
                    ord0 + day,
                    rne,
                    ls,
                    child.cin,
                    p.place,
                    p.provider,
                    None if end is None else ord0 + end,
                    "X1",
                    reason,
                    None,
                    None,
                    _urn(p, ord0),
                    "IN" if p.location == "in" else "OUT",
                    p.distance,
                ]
            )
            previous_ls = ls
    rows[-1][8] = child.exit_rec if child.left else None
    for row in rows:
        for name, value in zip(EPISODE_FIELDS, row, strict=True):
            out[name].append(value)
