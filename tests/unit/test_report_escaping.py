"""The HTML report escapes every piece of text it is given (Jinja2 autoescape): a scenario name,
a description, a title or an assumption holding markup and ampersands appears escaped in the
page built by `build_html`, and never raw. These fail if the environment's autoescape is off.

The run is hand-made (two scenarios, three replications, two years of made-up results) so the
test needs no simulation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sufficiency_sim import scenario
from sufficiency_sim.experiment.runner import RESULT_COLUMNS
from sufficiency_sim.report.assumptions import Assumption
from sufficiency_sim.report.compare_run import CompareRun
from sufficiency_sim.report.html import build_html

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "york_baseline.yaml"
OPTION_A = ROOT / "scenarios" / "options" / "a_two_local_homes.yaml"

NAME = 'Homes <script>alert("name")</script> & more'
NAME_ESCAPED = "Homes &lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt; &amp; more"
DESCRIPTION = "Two homes <img src=x onerror=alert(1)> & a plan"
DESCRIPTION_ESCAPED = "Two homes &lt;img src=x onerror=alert(1)&gt; &amp; a plan"
TITLE = "Options <script>x()</script> & costs"
TITLE_ESCAPED = "Options &lt;script&gt;x()&lt;/script&gt; &amp; costs"


def _results(names: list[str]) -> pd.DataFrame:
    """Made-up yearly results: percentages between 0 and 100, everything else positive."""
    rng = np.random.default_rng(5)
    rows = []
    for name in names:
        for replication in range(3):
            for year in (2020, 2021):
                values = {
                    c: rng.uniform(0, 100) if "pct" in c else rng.uniform(1, 400)
                    for c in RESULT_COLUMNS
                }
                values["cost_gbp"] = rng.uniform(2e7, 3e7)
                rows.append({"scenario": name, "replication": replication, "year": year, **values})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def run() -> CompareRun:
    """A compare run of the York baseline and option (a) renamed with markup in its name and
    description."""
    base = scenario.to_jsonable(scenario.load(BASELINE))
    option = scenario.to_jsonable(scenario.load(OPTION_A))
    option["name"], option["description"] = NAME, DESCRIPTION
    scenarios = [
        {"name": base["name"], "resolved": base, "file": "york_baseline.yaml"},
        {"name": NAME, "resolved": option, "file": "a <b>&</b>.yaml"},
    ]
    meta = {"command": "compare", "seed": 3, "scenarios": scenarios}
    return CompareRun(Path("results"), meta, _results([base["name"], NAME]), scenarios)


@pytest.fixture(scope="module")
def page(run: CompareRun) -> str:
    assumptions = [
        Assumption("Costs <b>&</b> prices", "discount_rate", "3.5% & <i>more</i>", "P", "HMT & co")
    ]
    return build_html(run, TITLE, dt.date(2026, 1, 2), assumptions)


def test_scenario_name_and_description_are_escaped(page: str) -> None:
    """The option's name and description, with a script and an image tag, appear escaped
    wherever they are shown (tables, headline, sections) and never as markup."""
    assert NAME_ESCAPED in page and DESCRIPTION_ESCAPED in page
    assert NAME not in page and DESCRIPTION not in page
    assert "<script" not in page.lower()
    assert "<img src=x" not in page  # the charts are the page's only images
    assert "a &lt;b&gt;&amp;&lt;/b&gt;.yaml" in page


def test_title_and_assumptions_are_escaped(page: str) -> None:
    """The title (in <title> and the heading) and an assumption's section, value and basis are
    escaped."""
    assert page.count(TITLE_ESCAPED) >= 2 and TITLE not in page
    assert "Costs &lt;b&gt;&amp;&lt;/b&gt; prices" in page and "Costs <b>" not in page
    assert "3.5% &amp; &lt;i&gt;more&lt;/i&gt;" in page and "<i>more</i>" not in page
    assert "HMT &amp; co" in page and "HMT & co" not in page
