"""The answer in plain words: one or two sentences per option from the paired differences.

`headlines(appraisal, scenarios)` turns the whole-horizon paired differences of an
`appraisal.Appraisal` into sentences a committee paper can quote: what the option changes (in
words, from its resolved scenario against the baseline's), each key effect with its 95%
interval and whether it is better or worse, and "no measurable difference" for every effect
whose interval includes zero. Pure: no files, no model, no CLI.

The direction that is better is a property of the measure (`HEADLINE_MEASURES`): fewer
children out of area, fewer moves and unplanned endings, fewer children in bridging and a
lower cost are better. An effect is "measurable" when the paired interval excludes zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sufficiency_sim.appraisal.statistics import HORIZON, Appraisal, year_label
from sufficiency_sim.report.changes import describe_changes

NUMBER_WORDS = {
    1: "one",
    2: "two",
    3: "three",
    4: "four",
    5: "five",
    6: "six",
    7: "seven",
    8: "eight",
    9: "nine",
    10: "ten",
    11: "eleven",
    12: "twelve",
}


@dataclass(frozen=True)
class HeadlineMeasure:
    """How one measure is put in words.

    `subject` is the noun phrase ("placement moves"); `plural` picks "fall"/"falls";
    `unit` follows the amount ("percentage points", "" for counts); `lower_is_better` gives
    the direction; `short` is used in "no measurable difference in ..."; `scale` divides
    the value (1e6 for pounds to millions)."""

    measure: str
    subject: str
    short: str
    plural: bool
    unit: str
    digits: int
    lower_is_better: bool = True
    scale: float = 1.0
    total: bool = False  # a total over the horizon (not a mean of the years)


HEADLINE_MEASURES: tuple[HeadlineMeasure, ...] = (
    HeadlineMeasure(
        "pct_out_of_area",
        "the share of children placed out of area",
        "out-of-area placements",
        False,
        "percentage points",
        1,
    ),
    HeadlineMeasure(
        "placement_moves", "placement moves", "placement moves", True, "", 0, total=True
    ),
    HeadlineMeasure(
        "unplanned_endings",
        "unplanned placement endings",
        "unplanned endings",
        True,
        "",
        0,
        total=True,
    ),
    HeadlineMeasure(
        "bridging_31_march",
        "the number of children in bridging placements on 31 March",
        "children in bridging placements",
        False,
        "",
        1,
    ),
    HeadlineMeasure("cost_gbp", "cost", "cost", False, "", 2, scale=1e6, total=True),
)
"""The effects a headline reports, in order (those missing from the results are skipped)."""


@dataclass
class Effect:
    """One option's whole-horizon effect on one measure."""

    spec: HeadlineMeasure
    difference: float
    lower: float
    upper: float

    @property
    def measurable(self) -> bool:
        """True when the paired interval excludes zero."""
        if pd.isna(self.lower) or pd.isna(self.upper):
            return self.difference != 0 and not pd.isna(self.difference)
        return self.lower > 0 or self.upper < 0

    @property
    def better(self) -> bool:
        """True when the effect goes the better way for this measure."""
        return (self.difference < 0) == self.spec.lower_is_better


@dataclass
class OptionHeadline:
    """The headline of one option: its changes in words and its effects."""

    option: str
    changes: list[str]
    effects: list[Effect]
    years: int
    sentences: list[str] = field(default_factory=list)

    def text(self) -> str:
        """The sentences as one paragraph."""
        return " ".join(self.sentences)


def signed(value: float, digits: int) -> str:
    """A signed number with a true minus sign, e.g. -1.25 -> "−1.3" (1 digit)."""
    if abs(value) < 0.5 * 10**-digits:
        value = 0.0  # no "−0.0"
    text = f"{value:+.{digits}f}"
    return text.replace("-", "−")


def interval_text(value: float, lower: float, upper: float, digits: int) -> str:
    """The one interval format of the project: "−1.2 [−2.0, −0.4]"."""
    if pd.isna(lower) or pd.isna(upper):
        return signed(value, digits)
    return f"{signed(value, digits)} [{signed(lower, digits)}, {signed(upper, digits)}]"


def _amount(effect: Effect) -> str:
    spec, s = effect.spec, effect.spec.scale
    if spec.measure == "cost_gbp":
        return f"£{abs(effect.difference) / s:,.{spec.digits}f}m"
    text = f"{abs(effect.difference) / s:,.{spec.digits}f}"
    return f"{text} {spec.unit}".strip()


def _bracket(effect: Effect) -> str:
    s, d = effect.spec.scale, effect.spec.digits
    text = interval_text(effect.difference / s, effect.lower / s, effect.upper / s, d)
    if effect.spec.measure == "cost_gbp":
        return f"{text} £m"
    if effect.spec.unit == "percentage points":
        return f"{text} points"
    return text


def effect_clause(effect: Effect, years: int) -> str:
    """One measurable effect in words, e.g. "placement moves fall by 12 (−12 [−20, −4]),
    which is better"."""
    spec = effect.spec
    span = f" over the {NUMBER_WORDS.get(years, str(years))} years" if spec.total else ""
    if spec.measure == "cost_gbp":
        verb = "saves" if effect.difference < 0 else "costs"
        more = "" if effect.difference < 0 else " more"
        return f"it {verb} {_amount(effect)}{more}{span} ({_bracket(effect)})"
    down = effect.difference < 0
    verb = ("fall" if down else "rise") if spec.plural else ("falls" if down else "rises")
    judgement = "better" if effect.better else "worse"
    amount = f"{_amount(effect)}{span} ({_bracket(effect)})"
    return f"{spec.subject} {verb} by {amount}, which is {judgement}"


def _join(items: Sequence[str], last: str = "and") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def sentences(
    option: str, changes: Sequence[str], effects: Sequence[Effect], years: int
) -> list[str]:
    """The headline sentences of one option (see the module docstring)."""
    what = f" ({'; '.join(changes)})" if changes else ""
    measurable = [e for e in effects if e.measurable]
    unclear = [e for e in effects if not e.measurable]
    out = []
    if measurable:
        clauses = [effect_clause(e, years) for e in measurable]
        out.append(f"{option}{what}: {'; '.join(clauses)}.")
    else:
        details = [f"{e.spec.short} ({_bracket(e)})" for e in unclear]
        out.append(
            f"{option}{what}: no measurable difference from the baseline in "
            f"{_join(details) if details else 'any key measure'}."
        )
        unclear = []
    if unclear:
        details = [f"{e.spec.short} ({_bracket(e)})" for e in unclear]
        out.append(f"No measurable difference in {_join(details)}.")
    return out


def option_effects(appraisal: Appraisal, option: str) -> list[Effect]:
    """The whole-horizon effects of `option` on the headline measures present."""
    rows = appraisal.differences
    rows = rows[rows["period"].eq(HORIZON) & rows["option"].eq(option)].set_index("measure")
    effects = []
    for spec in HEADLINE_MEASURES:
        if spec.measure not in rows.index:
            continue
        row = rows.loc[spec.measure]
        if pd.isna(row["difference"]):
            continue
        effects.append(
            Effect(
                spec,
                float(row["difference"]),
                float(row["paired_lower"]),
                float(row["paired_upper"]),
            )
        )
    return effects


def headlines(
    appraisal: Appraisal, scenarios: Mapping[str, Mapping[str, Any]] | None = None
) -> list[OptionHeadline]:
    """One headline per option. `scenarios` maps names to resolved scenario data (as in
    run.json) so that each option's changes can be put in words; without it they are left out."""
    years = len(appraisal.years)
    base = (scenarios or {}).get(appraisal.baseline)
    out = []
    for name in appraisal.scenarios:
        if name == appraisal.baseline:
            continue
        mine = (scenarios or {}).get(name)
        changes = describe_changes(base, mine) if base is not None and mine is not None else []
        effects = option_effects(appraisal, name)
        headline = OptionHeadline(name, changes, effects, years)
        headline.sentences = sentences(name, changes, effects, years)
        out.append(headline)
    return out


def headline_intro(appraisal: Appraisal) -> str:
    """The sentence before the headlines: what is compared, over which years, how sure."""
    first, last = appraisal.years[0], appraisal.years[-1]
    return (
        f"Each option against {appraisal.baseline}, {year_label(first)} to {year_label(last)}, "
        f"from {appraisal.replications} replications on common random numbers. Figures in "
        "brackets are the difference from the baseline with its 95% interval; an effect whose "
        "interval includes zero is reported as no measurable difference."
    )


def headline_markdown(appraisal: Appraisal, scenarios: Mapping[str, Mapping] | None = None) -> str:
    """The headline section as Markdown (a heading, the intro and one bullet per option).
    Plain text only: no `*` or `_` that a Markdown renderer would read as emphasis."""
    lines = ["## In plain words", "", headline_intro(appraisal), ""]
    lines += [f"- {h.text()}" for h in headlines(appraisal, scenarios)]
    return "\n".join(line.replace("*", "\\*") for line in lines) + "\n"


# ---------------------------------------------------------------------------------------------
# What an option changes, in words
