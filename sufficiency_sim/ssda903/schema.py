"""The canonical in-memory form of the SSDA903 episodes and header tables.

Every reader, writer, cleaner, the indicators and the model's history converter agree on this:

Episodes frame, one row per episode:
    CHILD                 str (pandas "string" dtype), never missing after cleaning
    DECOM, DEC            datetime64[ns]; DEC is NaT for an open episode
    RNE, LS, CIN, PLACE, PLACE_PROVIDER, REC, REASON_PLACE_CHANGE
                          str codes, trimmed and upper-cased; <NA> when blank
    HOME_POST, PL_POST, URN
                          str, trimmed; <NA> when blank; "123.0" normalised to "123"
    PL_LOCATION           "IN" / "OUT" / <NA>   (optional derived column, always present here)
    PL_DISTANCE           float64 miles, NaN when unknown (optional derived column, always present)

Header frame, one row per child:
    CHILD                 str
    SEX, ETHNIC, UPN, MOTHER
                          str or <NA>
    DOB, MC_DOB           datetime64[ns], NaT when blank or unusable
"""

from __future__ import annotations

EPISODE_COLUMNS: tuple[str, ...] = (
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
)
"""The 13 columns of the SSDA903 episodes table, in the order of the return."""

EPISODE_DERIVED_COLUMNS: tuple[str, ...] = ("PL_LOCATION", "PL_DISTANCE")
"""Optional derived columns (the 903 validator's postcode-derived fields)."""

EPISODE_REQUIRED_COLUMNS: tuple[str, ...] = ("CHILD", "DECOM", "RNE", "LS", "PLACE", "DEC", "REC")
"""Columns without which an episodes file cannot be measured."""

EPISODE_DATE_COLUMNS: tuple[str, ...] = ("DECOM", "DEC")

EPISODE_CODE_COLUMNS: tuple[str, ...] = (
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "REC",
    "REASON_PLACE_CHANGE",
    "PL_LOCATION",
)
"""Columns compared as codes: trimmed and upper-cased."""

EPISODE_TEXT_COLUMNS: tuple[str, ...] = ("CHILD", "HOME_POST", "PL_POST", "URN")
"""Columns compared as text: trimmed only; "123.0" reads as "123"."""

HEADER_COLUMNS: tuple[str, ...] = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
HEADER_REQUIRED_COLUMNS: tuple[str, ...] = ("CHILD", "DOB")
HEADER_DATE_COLUMNS: tuple[str, ...] = ("DOB", "MC_DOB")
UASC_COLUMNS: tuple[str, ...] = ("CHILD", "SEX", "DOB", "DUC")
"""The 4 columns of the SSDA903 UASC table: children who were unaccompanied asylum-seeking
children, with the date that status ceased (DUC, blank while it lasts)."""
UASC_DATE_COLUMNS: tuple[str, ...] = ("DOB", "DUC")

PERSONAL_COLUMNS: tuple[str, ...] = (
    "CHILD",
    "DOB",
    "UPN",
    "MOTHER",
    "MC_DOB",
    "HOME_POST",
    "PL_POST",
)
"""Columns that identify a child: never written by default into outputs, logs or reports."""
