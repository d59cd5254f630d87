"""SSDA903 coding of what the model does: the category of need at entry, the reason for leaving
care, and the PLACE and PLACE_PROVIDER of a placement. Pure functions of the route, kind and
the uniforms they are given (the reason at 18 takes its draws from the child's stream it is
given, as many as the rule needs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

CIN_MIX = {
    "N1": 0.62,
    "N2": 0.04,
    "N3": 0.03,
    "N4": 0.08,
    "N5": 0.15,
    "N6": 0.02,
    "N7": 0.01,
    "N8": 0.05,
}
"""Category of need at entry (York: abuse or neglect 50-78% of starts, 2018-22; see docs)."""
K3_FROM = dt.date(2024, 4, 1)
"""Registered supported accommodation (K3) from 2024/25; H5 before."""
FAMILY_KINDS = ("kinship", "inhouse_foster", "ifa")
"""Kinds that place a child in a family (staying put at 18, sibling groups placed together)."""


def exit_code(route: str, at_18: bool, u: float) -> str:
    """The reason for leaving care drawn for a route (`u` picks among a route's codes).

    AT18 (leaving at 18) and SGO are settled when the child leaves, from the placement then
    (`code_at_leaving`)."""
    if at_18:
        return "AT18"
    if route == "adoption":
        return "E11" if u < 0.6 else "E12"
    if route == "return_home":
        return "E4A" if u < 0.85 else "E13"
    if route == "sgo":
        return "SGO"
    if route == "cao":
        return "E41"
    return "E3" if u < 0.4 else ("E8" if u < 0.85 else "E4B")


def code_at_leaving(
    exit_rec: str, kind: str, staying_put_share: float, rng: np.random.Generator
) -> str:
    """The 903 REC of a child leaving care today from a placement of `kind`: AT18 becomes
    staying put (E17, from a family placement), independent living (E5) or other (E6); SGO
    becomes E45 with kin, else E47. Draws from `rng` only for AT18 (one or two uniforms)."""
    if exit_rec == "AT18":
        if kind in FAMILY_KINDS and rng.random() < staying_put_share:
            return "E17"
        return "E5" if rng.random() < 0.75 else "E6"
    if exit_rec == "SGO":
        return "E45" if kind == "kinship" else "E47"
    return exit_rec


def placement_codes(
    kind: str, long_term: bool, u: float, provision: Any, registered: bool, resource: Any = None
) -> tuple[str, str, str]:
    """The 903 PLACE and PLACE_PROVIDER of a new placement of `kind`, and the prefix of its
    id when it has no resource of its own. `u` decides whether a market's provider is private
    (PR4) or voluntary (PR5); `registered` whether supported accommodation is K3 (else H5)."""
    foster = "U4" if long_term else "U6"
    if kind == "kinship":
        return ("U1" if long_term else "U3"), "PR1", "KIN"
    if kind == "inhouse_foster":
        return foster, "PR1", "FC"
    if kind == "local_home":
        return "K2", resource.provider, "LH"
    if kind == "placed_with_parents":
        return "P1", "PR0", "PWP"
    if kind == "adoption":
        return "A6", "PR1", "AD"
    market = {
        "ifa": provision.ifa,
        "external_home": provision.external_homes,
        "supported": provision.supported,
    }[kind]
    provider = "PR4" if u < market.private_share else "PR5"
    if kind == "ifa":
        return foster, provider, "IFA"
    if kind == "external_home":
        return "K2", provider, "EH"
    return ("K3" if registered else "H5"), provider, "SA"


def new_episode_reason(
    first: bool, new_placement: bool, same_carer: bool, legal_changed: bool
) -> str:
    """The 903 RNE of an episode: S (the period of care starts), L (only the legal status
    changes), and for a new placement P (placement only), B (placement and legal status), or
    with the same carers T (status of the placement only) and U (that and the legal status)."""
    if first:
        return "S"
    if not new_placement:
        return "L"
    if same_carer:
        return "U" if legal_changed else "T"
    return "B" if legal_changed else "P"
