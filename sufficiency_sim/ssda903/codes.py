"""SSDA903 code lists, versioned by collection year, with their meanings.

A *collection year* ``Y`` is the year ending 31 March ``Y`` (1 April ``Y-1`` to 31 March ``Y``);
2023/24 is ``Y = 2024``. Sources: ``shared/reference/ssda903.md`` (DfE 903 validator rules 143-149,
178, 1009; liia-tools-pipeline enums).

Only PLACE changed over the years covered here:

* K3 (registered supported accommodation) is valid from 2024/25 (``Y >= 2025``). The Supported
  Accommodation (England) Regulations 2023 required registration from 28 October 2023, but the
  return's code list only gained K3 in 2024/25: the Data to Insight validator adds it in its
  2024/25 rule set (``lac2024_25/rule_146``; its 2023/24 rule 146 refuses K3) and so does
  liia-tools-pipeline's 2025 schema (``shared/reference/ssda903.md`` §3.2). No source indexed
  for the project puts K3 in the 2023/24 list, so we follow the validator (issue 10).
* H5, P2 and Z1 are removed and Z11-Z14 added from 2025/26 (``Y >= 2026``).

Historic codes (Q1/Q2 before 2015, M1-M3, REC E43/E44) are not accepted in any year.

Category sets used by the indicators (``shared/reference/indicators.md``) are defined at the end.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

K3_FROM_YEAR = 2025
"""First collection year (ending 31 March) in which PLACE K3 is valid (2024/25)."""

SEX_LETTERS_FROM_YEAR = 2025
"""First collection year in which the return codes SEX as M/F/U instead of 1/2 (2024/25:
validator ``lac2024_25/rule_101``; liia-tools-pipeline's 2025 schema)."""

Z1_SPLIT_YEAR = 2026
"""First collection year (2025/26) without H5, P2, Z1 and with Z11-Z14."""

PLACE_MEANINGS: dict[str, str] = {
    "U1": "Foster placement with relative(s) or friend(s) - long-term fostering",
    "U2": "Fostering placement with relative(s) or friend(s) who is/are also approved "
    "adopter(s) - fostering for adoption / concurrent planning",
    "U3": "Fostering placement with relative(s) or friend(s) who is/are not long-term "
    "or FFA / concurrent planning",
    "U4": "Foster placement with other foster carer(s) - long-term fostering",
    "U5": "Foster placement with other foster carer(s) who is/are also approved adopter(s) "
    "- FFA / concurrent planning",
    "U6": "Foster placement with other foster carer(s) - not long-term or FFA",
    "K1": "Secure children's homes",
    "K2": "Children's homes subject to Children's Homes Regulations",
    "K3": "Registered supported accommodation (from 2023/24)",
    "H5": "Semi-independent living accommodation not subject to children's homes "
    "regulations (until 2024/25)",
    "P1": "Placed with own parent(s) or other person(s) with parental responsibility",
    "P2": "Independent living, e.g. flat, lodgings, bedsit, B&B or with friends, with or "
    "without formal support (until 2024/25)",
    "P3": "Residential employment",
    "R1": "Residential care home",
    "R2": "NHS/health trust or other establishment providing medical or nursing care",
    "R3": "Family centre or mother and baby unit",
    "R5": "Young offender institution (YOI) or prison",
    "S1": "All residential schools, except where dual-registered as a school and children's home",
    "A3": "Placed for adoption with consent with current foster carer(s) (s19 ACA 2002) "
    "or freeing order with consent",
    "A4": "Placed for adoption with consent, not with current foster carer(s)",
    "A5": "Placed for adoption with placement order with current foster carer(s) "
    "(s21 ACA 2002) or freeing order where consent dispensed with",
    "A6": "Placed for adoption with placement order, not with current foster carer(s)",
    "T0": "All types of temporary move",
    "T1": "Temporary periods in hospital",
    "T2": "Temporary absences of the child on holiday",
    "T3": "Temporary accommodation whilst normal foster carer(s) is/are on holiday",
    "T4": "Temporary accommodation of seven days or less, for any reason, not covered by T1-T3",
    "Z1": "Other placements (listed on a schedule sent to DfE; until 2024/25)",
    # The meanings of Z11-Z14 are not in the project's sources: see the DfE 2025/26 guide.
    "Z11": "Other placement (2025/26 replacement for Z1; see the DfE 2025/26 guide)",
    "Z12": "Other placement (2025/26 replacement for Z1; see the DfE 2025/26 guide)",
    "Z13": "Other placement (2025/26 replacement for Z1; see the DfE 2025/26 guide)",
    "Z14": "Other placement (2025/26 replacement for Z1; see the DfE 2025/26 guide)",
}

PLACE_PROVIDER_MEANINGS: dict[str, str] = {
    "PR0": "Parent(s) or other person(s) with parental responsibility",
    "PR1": "Own provision (by the local authority)",
    "PR2": "Other local authority provision",
    "PR3": "Other public provision (for example, a primary care trust)",
    "PR4": "Private provision",
    "PR5": "Voluntary/third sector provision",
}

RNE_MEANINGS: dict[str, str] = {
    "S": "Started to be looked after",
    "L": "Change of legal status only",
    "P": "Change of placement and carer(s) only",
    "T": "Change of placement (but same carer(s)) only",
    "B": "Change of legal status and placement and carer(s) at the same time",
    "U": "Change of legal status and change of placement (but same carer(s)) at the same time",
}

LS_MEANINGS: dict[str, str] = {
    "C1": "Interim care order",
    "C2": "Full care order",
    "D1": "Freeing order granted",
    "E1": "Placement order granted",
    "V2": "Single period of accommodation under s20",
    "V3": "Accommodated under an agreed series of short-term breaks, when individual "
    "episodes of care are recorded",
    "V4": "Accommodated under an agreed series of short-term breaks, when agreements are "
    "recorded (not individual episodes of care)",
    "L1": "Under police protection and in LA accommodation",
    "L2": "Emergency protection order (EPO)",
    "L3": "Under child assessment order and in LA accommodation",
    "J1": "Remanded to LA accommodation or to youth detention accommodation",
    "J2": "Placed in LA accommodation under PACE 1984",
    "J3": "Sentenced to a Youth Rehabilitation Order with a residence or intensive "
    "fostering requirement",
}

CIN_MEANINGS: dict[str, str] = {
    "N1": "Abuse or neglect",
    "N2": "Child's disability",
    "N3": "Parental illness or disability",
    "N4": "Family in acute stress",
    "N5": "Family dysfunction",
    "N6": "Socially unacceptable behaviour",
    "N7": "Low income",
    "N8": "Absent parenting",
}

REC_MEANINGS: dict[str, str] = {
    "X1": "Episode ceases and a new episode begins on the same day, for any reason",
    "E11": "Adopted - application for an adoption order unopposed",
    "E12": "Adopted - consent dispensed with by the court",
    "E13": "Left care to live with parent(s), relative(s) or other person(s) with no "
    "parental responsibility",
    "E14": "Accommodation on remand ended",
    "E15": "Age assessment determined the child is 18 or over",
    "E16": "Child moved abroad",
    "E17": "Aged 18 (or over) and remained with current carers (including staying put)",
    "E2": "Died",
    "E3": "Care taken over by another LA in the UK",
    "E41": "Residence order or child arrangements order granted",
    "E45": "SGO to former foster carer(s) who are relatives or friends",
    "E46": "SGO to former foster carer(s) other than relatives or friends",
    "E47": "SGO to carer(s), not former foster carers, who are relatives or friends",
    "E48": "SGO to carer(s), not former foster carers, other than relatives or friends",
    "E4A": "Returned home to parent(s) or others with parental responsibility as part of "
    "the care planning process",
    "E4B": "Returned home not as part of the care planning process",
    "E5": "Moved into independent living with supportive accommodation",
    "E6": "Moved into independent living without formalised support",
    "E7": "Transferred to residential care funded by adult social care",
    "E8": "Period of being looked after ceased for any other reason",
    "E9": "Sentenced to custody",
}

REASON_PLACE_CHANGE_MEANINGS: dict[str, str] = {
    "CARPL": "Change to / implementation of care plan",
    "PLACE": "Change in the status of placement only",
    "CLOSE": "Resignation / closure of provision",
    "ALLEG": "Allegation (s47)",
    "STAND": "Standards of care concern",
    "APPRR": "Approval removed",
    "CREQB": "Carer(s) request placement end due to the child's behaviour",
    "CREQO": "Carer(s) request placement end other than due to the child's behaviour",
    "CHILD": "Child requests placement end",
    "LAREQ": "Responsible/area authority requests placement end",
    "CUSTOD": "Custody arrangement",
    "OTHER": "Other",
}

PL_LOCATION_MEANINGS: dict[str, str] = {
    "IN": "Placed inside the responsible authority's boundary",
    "OUT": "Placed outside the responsible authority's boundary",
}

MEANINGS: dict[str, dict[str, str]] = {
    "PLACE": PLACE_MEANINGS,
    "PLACE_PROVIDER": PLACE_PROVIDER_MEANINGS,
    "RNE": RNE_MEANINGS,
    "LS": LS_MEANINGS,
    "CIN": CIN_MEANINGS,
    "REC": REC_MEANINGS,
    "REASON_PLACE_CHANGE": REASON_PLACE_CHANGE_MEANINGS,
    "PL_LOCATION": PL_LOCATION_MEANINGS,
}
"""Meaning of each code, by field, for documentation and messages."""

CODED_FIELDS: tuple[str, ...] = tuple(MEANINGS)
"""Episode fields with a code list."""

_PLACE_BASE = frozenset(PLACE_MEANINGS) - {"K3", "Z11", "Z12", "Z13", "Z14"}


def _place_codes(year: int) -> frozenset[str]:
    codes = set(_PLACE_BASE)
    if year >= K3_FROM_YEAR:
        codes.add("K3")
    if year >= Z1_SPLIT_YEAR:
        codes -= {"H5", "P2", "Z1"}
        codes |= {"Z11", "Z12", "Z13", "Z14"}
    return frozenset(codes)


def valid_codes(field: str, year: int) -> frozenset[str]:
    """The codes valid in `field` for collection year `year` (the year ending 31 March `year`).

    Raises KeyError for a field without a code list.
    """
    field = field.upper()
    if field == "PLACE":
        return _place_codes(int(year))
    if field not in MEANINGS:
        raise KeyError(f"no code list for field {field!r}; known: {', '.join(CODED_FIELDS)}")
    return frozenset(MEANINGS[field])


def all_codes(field: str) -> frozenset[str]:
    """Every code that is valid in `field` in at least one collection year."""
    return frozenset(MEANINGS[field.upper()])


def is_valid(field: str, code: str | None, year: int) -> bool:
    """Whether `code` (trimmed, case-insensitive) is valid in `field` for collection `year`."""
    if code is None or pd.isna(code):
        return False
    return str(code).strip().upper() in valid_codes(field, year)


def meaning(field: str, code: str) -> str:
    """The meaning of `code` in `field`, or "unknown code" when it has none."""
    return MEANINGS.get(field.upper(), {}).get(str(code).strip().upper(), "unknown code")


def collection_year(day: _dt.date | pd.Timestamp) -> int:
    """The collection year (ending 31 March) that contains `day`: 31/03/2019 -> 2019,
    01/04/2019 -> 2020."""
    return day.year + (1 if day.month >= 4 else 0)


def collection_years(days: pd.Series) -> pd.Series:
    """Vectorised `collection_year` for a datetime Series; <NA> where the date is missing."""
    years = days.dt.year + np.where(days.dt.month >= 4, 1, 0)
    return years.astype("Int64")


# --- category sets used by the indicators (shared/reference/indicators.md) ------------------

SHORT_BREAK_LS: frozenset[str] = frozenset({"V3", "V4"})
"""Legal statuses of short-break episodes, dropped before any indicator is computed."""

NEW_PLACEMENT_RNE: frozenset[str] = frozenset({"S", "P", "B", "T", "U"})
"""RNE codes that start a new placement (L, blank or invalid continue the current one)."""

TEMPORARY_PLACES: frozenset[str] = frozenset({"T0", "T1", "T2", "T3", "T4"})
"""Temporary placements: they neither start nor end a placement."""

ADOPTION_PLACES: frozenset[str] = frozenset({"A3", "A4", "A5", "A6"})
"""Placements for adoption."""

UNPLANNED_REASONS: frozenset[str] = frozenset(
    {"CREQB", "CREQO", "CHILD", "ALLEG", "STAND", "CLOSE", "APPRR"}
)
"""REASON_PLACE_CHANGE codes counted as unplanned placement endings."""

CONTINUES_EPISODE_REC = "X1"
"""REC code of an episode followed by another on the same day (not an exit from care)."""

KINSHIP_FOSTER_PLACES: frozenset[str] = frozenset({"U1", "U2", "U3"})
NON_KINSHIP_FOSTER_PLACES: frozenset[str] = frozenset({"U4", "U5", "U6"})
INHOUSE_PROVIDERS: frozenset[str] = frozenset({"PR0", "PR1", "PR2", "PR3"})
EXTERNAL_PROVIDERS: frozenset[str] = frozenset({"PR4", "PR5"})
CHILDRENS_HOME_PLACES: frozenset[str] = frozenset({"K2", "R1"})
SECURE_PLACES: frozenset[str] = frozenset({"K1"})
SUPPORTED_PLACES: frozenset[str] = frozenset({"H5", "P2", "K3"})
WITH_PARENTS_PLACES: frozenset[str] = frozenset({"P1"})

PROVIDER_NOT_REQUIRED_PLACES: frozenset[str] = frozenset(
    {"T0", "T1", "T2", "T3", "T4", "Z1", "Z11", "Z12", "Z13", "Z14"}
)
"""PLACE codes for which PLACE_PROVIDER may be blank (validator rule 178)."""

SEX_CODES: frozenset[str] = frozenset({"1", "2", "M", "F", "U"})
"""Header SEX codes: 1/2 until 2024/25, M/F/U from 2025 (both accepted)."""
