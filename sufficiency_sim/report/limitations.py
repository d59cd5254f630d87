"""The limitations section of the HTML report: the model's known limits (from the README's
"Known limits") and what the confidence intervals cover."""

from __future__ import annotations

from sufficiency_sim.report.blocks import paragraph

LIMITATIONS: tuple[tuple[str, str], ...] = (
    (
        "Placed with parents and over 20 miles are too low",
        "For York the model places 1.0% of children in care with parents against 10%, and 10% "
        "more than 20 miles away against 18%; the other headline indicators sit on York's "
        "figures.",
    ),
    (
        "Siblings",
        "Siblings are placed together at entry where a household has room; after that each "
        "child's journey is separate (a breakdown moves one child, not the group). With "
        "split_siblings false a group that no household can take at once goes to bridging "
        "placements (one each) until the agency search ends, and the agency then places the "
        "children separately.",
    ),
    (
        "Hazards are fixed at a placement's start",
        "A change in who else lives in a home, or a child's birthday, does not change a "
        "placement's chance of breaking down until the next move.",
    ),
    (
        "Options act from the start date",
        "The warm-up runs on the scenario at the root of the extends chain (without overrides), "
        "so an option starts from its baseline's children, carers and homes. A sensitivity "
        "change says how York would behave from 2019 on, not what a York that had always been "
        "different would look like; values drawn when a child enters care or a placement "
        "starts apply to children and placements from then on.",
    ),
    (
        "Capacity keeps its level",
        "unless a lever changes it: York recruits foster carers to keep its 80 households "
        "rather than from its one-year enquiry figures, and a dedicated emergency carer who "
        "leaves is replaced.",
    ),
    (
        "One local authority, no neighbours",
        "The market's offers (agencies, spot homes) are independent draws and, unless a "
        "scenario bounds a market's supply, never run out; there is no competition with other "
        "councils for the same places.",
    ),
    (
        "No unregistered or secure placements, no short breaks",
        "Neither is in the simulated histories (the indicators handle both in real data); "
        "unaccompanied children only when a scenario sets them (entries.uasc).",
    ),
    (
        "Simulated 903 returns have no postcodes",
        "so the DfE validator's postcode rules fail on them; the header's ethnicity, UPN and "
        "motherhood fields are synthetic draws that change no simulated event.",
    ),
    (
        "Costs",
        "Weekly prices at 2024-25 levels with no inflation; one-off and recurring costs are "
        "what the scenario declares.",
    ),
    (
        "Calibration",
        "The defaults describe a York-like authority from published figures; calibration to an "
        "authority's own 903 extract, starting from its census of children in care, is "
        "separate work.",
    ),
    (
        "What the intervals cover",
        "Confidence intervals describe the random variation between replications of the model "
        "for the given parameters. They do not include the uncertainty in the parameters "
        "themselves (see the assumptions and their status) or in the model's structure.",
    ),
)
"""Known limits, from the README's "Known limits" (tests check each title is still there), and
what the intervals mean."""


def limitations_section() -> list[dict]:
    """The blocks of the limitations section: an introduction and the list of LIMITATIONS."""
    intro = (
        "What the model does not do yet, knowingly. The project's documentation lists every "
        "structural assumption with the direction it probably pushes the results "
        "(docs/assumptions.md) and the problems found in the code (docs/verification.md)."
    )
    return [paragraph(intro), {"kind": "dl", "entries": list(LIMITATIONS)}]
