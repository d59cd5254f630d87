"""The `report` command and the charts it embeds, end to end on a short comparison (the York
baseline and a local homes option, 3 replications of a 3-year horizon after a 4-year warm-up).

Without a browser: the page loads nothing from outside (no http(s) src or href, no script, no
stylesheet link), every image is a data URI holding a valid PNG, the tables name every scenario
(escaped), the summary holds the numbers of appraisal.md, the assumptions list every documented
key with the value used, and no simulated child identifier appears. In headless Chromium with
the network blocked: every image loads, no request fails, no console error; a full-page
screenshot is saved to test-artifacts/report.png. Bad input: one `error:` line, exit status 2.
The packaged assumptions.csv is what scripts/make_assumptions.py makes from the doc.
"""

from __future__ import annotations

import base64
import csv
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result
from matplotlib.figure import Figure
from PIL import Image

from sufficiency_sim import scenario
from sufficiency_sim.cli.group import _register, cli
from sufficiency_sim.measure.indicators import INDICATOR_COLUMNS
from sufficiency_sim.report import charts
from sufficiency_sim.report.assumptions import load_assumptions
from sufficiency_sim.report.changes import value_lines
from sufficiency_sim.report.folder import APPRAISAL_CHART_FILES
from sufficiency_sim.report.limitations import LIMITATIONS
from sufficiency_sim.scenario import keys

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "york_baseline.yaml"
OPTION_A = ROOT / "scenarios" / "options" / "a_two_local_homes.yaml"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("SUFFICIENCY_SIM_REQUIRE_BROWSER") == "1"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OPTION_NAME = 'Two local homes <b>& "more"</b>'
PNG = b"\x89PNG\r\n\x1a\n"

_register()


def invoke(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def compare_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A compare output folder: the baseline and option (a) renamed with characters that
    HTML must escape."""
    folder = tmp_path_factory.mktemp("report")
    option = folder / "option.yaml"
    option.write_text(f"extends: {OPTION_A}\nname: {json.dumps(OPTION_NAME)}\n", encoding="utf-8")
    out = folder / "compare"
    result = invoke(
        "compare",
        BASELINE,
        option,
        "-n",
        3,
        "--seed",
        11,
        "--jobs",
        1,
        "--set",
        "horizon_years=3",
        "--set",
        "warmup_years=4",
        "--out",
        out,
        "-q",
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def report(compare_dir: Path) -> tuple[Path, str]:
    out = compare_dir.parent / "report" / "report.html"
    result = invoke("report", compare_dir, "--out", out)
    assert result.exit_code == 0, result.output
    assert "wrote" in result.stderr
    return out, out.read_text(encoding="utf-8")


class _Page(HTMLParser):
    """Tags with their attributes, the text of every table, and the text by section id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.tables: list[str] = []
        self.sections: dict[str, str] = {}
        self._table: list[str] | None = None
        self._section: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append((tag, values))
        if tag == "table":
            self._table = []
        if tag == "section":
            self._section = values.get("id")
            self.sections[self._section or ""] = ""
        if tag in ("td", "th", "span") and self._table is not None:
            self._table.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._table is not None:
            self.tables.append("".join(self._table))
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._table is not None:
            self._table.append(data)
        if self._section is not None:
            self.sections[self._section] += data + " "


def parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    return parser


# ---------------------------------------------------------------------------------------------
# The page, without a browser


def test_no_external_resources(report: tuple[Path, str]) -> None:
    _, page = report
    parsed = parse(page)
    for tag, attrs in parsed.tags:
        for name in ("src", "href", "srcset", "action", "data", "poster"):
            if name not in attrs:
                continue
            value = (attrs[name] or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//", "ftp:")), (tag, name, value)
            if name == "href":
                assert value.startswith("#"), (tag, value)  # only links within the page
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    assert "url(" not in page.lower() and "@import" not in page.lower()
    tags = {tag for tag, _ in parsed.tags}
    assert not tags & {"script", "link", "iframe", "object", "embed", "base"}
    assert "Content-Security-Policy" in page


def test_images_are_png_data_uris(report: tuple[Path, str]) -> None:
    _, page = report
    images = [attrs for tag, attrs in parse(page).tags if tag == "img"]
    assert len(images) == 2 + len(charts.APPRAISAL_CHARTS)  # key measures, differences, six
    for attrs in images:
        src = attrs["src"] or ""
        prefix = "data:image/png;base64,"
        assert src.startswith(prefix)
        data = base64.b64decode(src[len(prefix) :], validate=True)
        assert data.startswith(PNG)
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "PNG" and image.width > 300 and image.height > 200
        assert attrs.get("alt")


def test_title_date_and_scenarios_escaped(report: tuple[Path, str]) -> None:
    _, page = report
    parsed = parse(page)
    assert "<title>Options appraisal against York baseline</title>" in page
    assert re.search(r"Report of \d{1,2} [A-Z][a-z]+ \d{4}", page)
    assert "<b>&" not in page and "Two local homes &lt;b&gt;&amp; &#34;more&#34;" in page
    summary = [t for t in parsed.tables if "Placed out of area (%, mean)" in t]
    assert summary, "no whole-horizon summary table"
    for table in [*summary, *(t for t in parsed.tables if "NPV of cost difference" in t)]:
        assert OPTION_NAME in table
    assert "York baseline" in summary[0]
    for section in ("summary", "options", "charts", "measures", "method", "assumptions"):
        assert section in parsed.sections
    assert "limitations" in parsed.sections and "run" in parsed.sections


def test_summary_holds_the_numbers_of_appraisal_md(
    report: tuple[Path, str], compare_dir: Path
) -> None:
    """The report appraises results.csv with the appraisal module's functions: every cell of
    the committee tables in appraisal.md is in the page (option cells on two lines)."""
    _, page = report
    text = " ".join(parse(page).tables)
    markdown = (compare_dir / "appraisal.md").read_text(encoding="utf-8")
    cells = 0
    for line in markdown.splitlines():
        if not line.startswith("| ") or line.startswith("| Scenario") or "---" in line:
            continue
        for cell in line.strip("|").split("|")[1:]:
            for part in cell.strip().split("; "):
                if part.strip() == "–":  # the baseline's blank cost cells
                    continue
                assert part.strip() in text, part
                cells += 1
    assert cells > 20


def test_assumptions_listed_with_values_used(report: tuple[Path, str]) -> None:
    _, page = report
    section = parse(page).sections["assumptions"]
    resolved = scenario.to_jsonable(scenario.load(BASELINE, ["horizon_years=3", "warmup_years=4"]))
    assumptions = load_assumptions()
    assert len(assumptions) > 30
    for item in assumptions:
        for path in item.paths:
            assert path in section
            value = keys.get_key(resolved, path)
            assert value is not keys.MISSING, f"{path} is not a scenario key"
            for line in value_lines(value):
                assert line in section
    assert "entries.rate_per_year" in section and "Ofsted-Fost-2019" in section
    # Option (a) changes the local homes: the table says so.
    assert f"Changed by: {OPTION_NAME}" in section


def test_method_limitations_and_no_child_identifiers(report: tuple[Path, str]) -> None:
    _, page = report
    parsed = parse(page)
    assert "common random" in parsed.sections["method"]
    for title, _ in LIMITATIONS:
        assert title in parsed.sections["limitations"]
    assert not re.search(r"SIM\d{7}", page)
    assert "SIM0" not in page


def test_limitations_follow_the_readme() -> None:
    """Every "Known limits" item of the README has a limitation in the report."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    known = readme.split("## Known limits", 1)[1].split("\n## ", 1)[0]
    titles = [" ".join(t.split()) for t in re.findall(r"^- \*\*(.+?)\*\*", known, re.M | re.S)]
    assert len(titles) >= 6
    mine = [title for title, _ in LIMITATIONS]
    for title in titles:
        assert any(title.startswith(m) for m in mine), title


def test_default_out_and_atomic(compare_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(compare_dir, folder)
    result = invoke("report", folder)
    assert result.exit_code == 0, result.output
    assert (folder / "report.html").is_file()
    assert not list(folder.glob(".*.part"))
    # A failed report leaves an existing file as it was.
    (folder / "results.csv").write_text("scenario,replication\n", encoding="utf-8")
    before = (folder / "report.html").read_bytes()
    result = invoke("report", folder)
    assert result.exit_code == 2
    assert (folder / "report.html").read_bytes() == before
    assert not list(folder.glob(".*.part"))


# ---------------------------------------------------------------------------------------------
# Bad input


def _error(result: Result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: "), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.stderr, (word, result.stderr)


def test_missing_folder(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    _error(invoke("report", missing, "--out", tmp_path / "r.html"), str(missing), "compare")
    assert not (tmp_path / "r.html").exists()


def test_missing_folder_from_the_shell(tmp_path: Path) -> None:
    """The real console entry point: one line on stderr, status 2, no traceback."""
    missing = tmp_path / "nowhere"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from sufficiency_sim.cli import main; main()",
            "report",
            missing,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr
    assert str(missing) in done.stderr and done.stdout == ""


def test_not_a_compare_folder(tmp_path: Path, compare_dir: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    _error(invoke("report", empty), "run.json", "not found", "compare")
    run_folder = tmp_path / "run"
    run_folder.mkdir()
    (run_folder / "run.json").write_text(json.dumps({"scenario": {}, "seed": 1}))
    _error(invoke("report", run_folder), "run.json", "sufficiency-sim run", "not `compare`")
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    (sweep / "run.json").write_text(json.dumps({"command": "sweep"}))
    _error(invoke("report", sweep), "sufficiency-sim sweep")
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    _error(invoke("report", a_file), "not a folder")
    _error(invoke("report", compare_dir, "--out", tmp_path), "is a folder")


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("run.json", "{not json", ["run.json", "not valid JSON"]),
        ("run.json", "[1, 2]", ["run.json", "JSON object"]),
        ("results.csv", "", ["results.csv", "not a readable CSV"]),
        ("results.csv", "a,b\n1,2\n", ["results.csv", "no column scenario"]),
        ("results.csv", b"\xff\xfe\x00garbage\x00\xff", ["results.csv"]),
        ("results.csv", None, ["results.csv", "not found"]),
    ],
)
def test_corrupt_files(
    compare_dir: Path, tmp_path: Path, name: str, content: str | bytes | None, words: list
) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(compare_dir, folder)
    target = folder / name
    if content is None:
        target.unlink()
    elif isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")
    _error(invoke("report", folder, "--out", tmp_path / "r.html"), *words)
    assert not (tmp_path / "r.html").exists()


def test_bad_values_in_results(compare_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(compare_dir, folder)
    results = pd.read_csv(compare_dir / "results.csv")
    broken = results.astype({"cost_gbp": object})
    broken.loc[4, "cost_gbp"] = "lots"
    broken.to_csv(folder / "results.csv", index=False)
    _error(invoke("report", folder), "results.csv", "line 6", "cost_gbp", "'lots'")
    renamed = results.replace({"scenario": {"York baseline": "Somewhere else"}})
    renamed.to_csv(folder / "results.csv", index=False)
    _error(invoke("report", folder), "results.csv", "run.json lists")
    fractional = results.astype({"year": float})
    fractional.loc[0, "year"] = 2020.5
    fractional.to_csv(folder / "results.csv", index=False)
    _error(invoke("report", folder), "line 2", "year", "whole number")


# ---------------------------------------------------------------------------------------------
# In a browser, offline


def _chromium() -> None:
    """Skip without Chromium or playwright, unless CI requires the browser."""
    reason = ""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not found"
    elif importlib.util.find_spec("playwright") is None:
        reason = "the playwright package is not installed"
    if reason:
        if REQUIRE_BROWSER:
            pytest.fail(f"SUFFICIENCY_SIM_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)


def test_report_renders_offline_in_chromium(report: tuple[Path, str]) -> None:
    _chromium()
    from playwright.sync_api import sync_playwright

    path, _ = report
    failed: list[str] = []
    blocked: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        try:
            for width in (1280, 400):
                _check_at_width(browser, path, width)
            context = browser.new_context(offline=True, viewport={"width": 1200, "height": 900})
            page = context.new_page()
            page.on("requestfailed", lambda request: failed.append(request.url[:100]))
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on(
                "console",
                lambda message: errors.append(message.text) if message.type == "error" else None,
            )

            def route(request_route) -> None:
                url = request_route.request.url
                if url.startswith(("file:", "data:")):
                    request_route.continue_()
                else:
                    blocked.append(url[:100])
                    request_route.abort()

            page.route("**/*", route)
            page.goto(path.resolve().as_uri(), wait_until="load")
            images = page.evaluate(
                "Array.from(document.images).map(i => [i.complete, i.naturalWidth])"
            )
            assert len(images) == 2 + len(charts.APPRAISAL_CHARTS)
            assert all(complete and width > 0 for complete, width in images), images
            assert page.title() == "Options appraisal against York baseline"
            assert page.locator("table").count() >= 5
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
            page.emulate_media(media="print")
            pdf = page.pdf(format="A4")
            assert pdf.startswith(b"%PDF")
        finally:
            browser.close()
    assert not blocked, blocked
    assert not failed, failed
    assert not errors, errors
    assert (ARTIFACTS / "report.png").read_bytes().startswith(PNG)


def _check_at_width(browser, path: Path, width: int) -> None:
    """At a viewport `width` px wide: no horizontal overflow (the page and each table fit),
    every image loaded, no console error; a screenshot to test-artifacts/."""
    errors: list[str] = []
    context = browser.new_context(offline=True, viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "console",
            lambda message: errors.append(message.text) if message.type == "error" else None,
        )
        page.goto(path.resolve().as_uri(), wait_until="load")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{width} px: the page is {scroll} px wide"
        wide = page.evaluate(
            f"Array.from(document.querySelectorAll('table, figure, img, p, pre'))"
            f".filter(e => e.getBoundingClientRect().right > {width} + 1).length"
        )
        assert wide == 0, f"{width} px: {wide} elements overflow"
        images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
        assert images and all(complete and w > 0 for complete, w in images), images
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"report_{width}.png"), full_page=False)
    finally:
        context.close()
    assert not errors, errors


def test_every_table_captioned_and_alt_text_states_a_finding(report: tuple[Path, str]) -> None:
    _, page = report
    assert page.count("<table") == page.count("<caption>") > 5
    parsed = parse(page)
    for tag, attrs in parsed.tags:
        if tag == "img":
            alt = attrs.get("alt") or ""
            assert "baseline" in alt and any(ch.isdigit() for ch in alt), alt[:200]
    headline = parsed.sections["headline"]
    assert OPTION_NAME in headline and (
        "no measurable difference" in headline or "better" in headline
    )


# ---------------------------------------------------------------------------------------------
# The assumptions file and the charts


def _make_assumptions():
    spec = importlib.util.spec_from_file_location(
        "make_assumptions", ROOT / "scripts" / "make_assumptions.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_assumptions_csv_is_made_from_the_doc() -> None:
    module = _make_assumptions()
    packaged = (ROOT / "sufficiency_sim" / "data" / "assumptions.csv").read_text(encoding="utf-8")
    assert packaged == module.build(), "run python scripts/make_assumptions.py"
    rows = list(csv.DictReader(io.StringIO(packaged)))
    assert list(rows[0]) == ["section", "key", "value", "status", "basis"]
    assert {r["section"] for r in rows} >= {"Provision", "Endings", "Carers"}
    assert all(r["status"] and r["basis"] for r in rows)


def test_assumption_keys_expand() -> None:
    module = _make_assumptions()
    assert module.expand_keys("`carers.application_rate`, `approval_rate`") == [
        "carers.application_rate",
        "carers.approval_rate",
    ]
    assert module.expand_keys("`pathways.placed_with_parents_share`, `..._before_exit`") == [
        "pathways.placed_with_parents_share",
        "pathways.placed_with_parents_before_exit",
    ]
    with pytest.raises(module.DocError, match="line 3"):
        module.parse("## S\n| Key | Value | Status | Basis |\n| a | b |\n")


def test_every_documented_key_is_a_scenario_key() -> None:
    resolved = scenario.to_jsonable(scenario.load(BASELINE))
    for item in load_assumptions():
        for path in item.paths:
            assert keys.get_key(resolved, path) is not keys.MISSING, path


def test_placement_styles() -> None:
    placement_columns = [c for c in INDICATOR_COLUMNS if c in charts.PLACEMENT_STYLES]
    assert list(charts.PLACEMENT_STYLES) == placement_columns == list(charts.PLACEMENT_TYPES)
    assert len(charts.PLACEMENT_STYLES) == 9
    styles = list(charts.PLACEMENT_STYLES.values())
    for attribute in ("label", "colour", "line", "marker", "hatch"):
        values = [repr(getattr(style, attribute)) for style in styles]
        assert len(set(values)) == len(values), attribute


def test_chart_functions(compare_dir: Path) -> None:
    """Every chart is a Figure whose visible axes say what they show; each scenario keeps its
    colour across charts; compare wrote the same charts as PNG files."""
    results = pd.read_csv(compare_dir / "results.csv")
    figures = charts.appraisal_figures(results)
    assert list(figures) == [chart.file for chart in charts.APPRAISAL_CHARTS]
    assert list(APPRAISAL_CHART_FILES) == list(figures)
    colours: dict[str, set[str]] = {}
    for name, figure in figures.items():
        assert isinstance(figure, Figure)
        axes = [ax for ax in figure.axes if ax.get_visible()]
        assert axes, name
        for ax in axes:
            assert ax.get_xlabel() and ax.get_ylabel(), (name, ax.get_title())
            for line in ax.get_lines():
                label = line.get_label()
                if not label.startswith("_"):
                    colours.setdefault(label, set()).add(line.get_color())
        assert (compare_dir / name).read_bytes().startswith(PNG)
    for label, seen in colours.items():
        assert len(seen) == 1, (label, seen)
    assert colours["York baseline"] == {"#000000"}
    kinship = charts.PLACEMENT_STYLES["kinship_foster"]
    assert colours[kinship.label] == {kinship.colour}
    one = charts.placement_types_chart(results, ["York baseline"], band="range")
    assert len([ax for ax in one.axes if ax.get_visible()]) == 1
    with pytest.raises(ValueError, match="no scenario"):
        charts.placement_types_chart(results, ["Nobody"])
    with pytest.raises(ValueError, match="no column"):
        charts.cost_chart(results.drop(columns="cost_gbp"))
    assert charts.png_bytes(charts.measures_by_year_chart(results, ["cla_31_march"])).startswith(
        PNG
    )
