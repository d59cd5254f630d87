"""The local app. Without a browser: the levers change exactly the settings they name, the
saved scenario YAML loads with the CLI's loader unchanged, and the app command serves on
127.0.0.1 with telemetry off. In headless Chromium (Playwright): the app is started on a free
port, a lever is changed, the option is run, the headline appears, and the downloaded scenario
carries the lever's value. Skipped without Chromium unless SUFFICIENCY_SIM_REQUIRE_BROWSER=1."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from sufficiency_sim import scenario
from sufficiency_sim.app.levers import Levers, apply_levers, load_baseline, scenario_yaml
from sufficiency_sim.cli.app import streamlit_command
from sufficiency_sim.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("SUFFICIENCY_SIM_REQUIRE_BROWSER") == "1"
ARTIFACTS = ROOT / "test-artifacts"
YORK = ROOT / "scenarios" / "york_baseline.yaml"


def test_levers_change_what_they_name_and_nothing_else() -> None:
    base = load_baseline(YORK)
    levers = Levers(
        name="Mine",
        new_home_beds=4,
        new_home_opens=dt.date(2021, 1, 1),
        emergency_households=7,
        campaign_extra_enquiries=40,
        campaign_start=dt.date(2020, 4, 1),
        campaign_end=dt.date(2022, 4, 1),
        retention_multiplier=0.8,
    )
    option = apply_levers(base, levers)
    homes = option["provision"]["local_homes"]
    assert len(homes) == len(base["provision"]["local_homes"]) + 1
    assert homes[-1]["beds"] == 4 and homes[-1]["opens"] == "2021-01-01"
    assert option["provision"]["inhouse_foster"]["emergency_households"] == 7
    assert option["carers"]["campaigns"][-1]["extra_enquiries_per_year"] == 40
    assert option["carers"]["retention"][-1]["deregistration_multiplier"] == 0.8
    # nothing else moved
    assert option["entries"] == base["entries"] and option["endings"] == base["endings"]
    assert (
        option["provision"]["inhouse_foster"]["households"]
        == (base["provision"]["inhouse_foster"]["households"])
    )
    assert base["provision"]["inhouse_foster"]["emergency_households"] == 3  # not mutated


def test_no_lever_gives_the_baseline_under_a_new_name() -> None:
    base = load_baseline(YORK)
    option = apply_levers(base, Levers(name="Same"))
    assert {k: v for k, v in option.items() if k not in ("name", "description")} == {
        k: v for k, v in base.items() if k not in ("name", "description")
    }


def test_impossible_lever_is_an_input_error() -> None:
    with pytest.raises(InputError, match="households"):
        apply_levers(load_baseline(YORK), Levers(households=-1))


def test_saved_scenario_runs_with_the_cli_loader_unchanged(tmp_path: Path) -> None:
    base = load_baseline(YORK)
    option = apply_levers(base, Levers(name="Saved", emergency_households=9))
    path = tmp_path / "option.yaml"
    path.write_text(scenario_yaml(option), encoding="utf-8")
    loaded = scenario.load(path)
    assert scenario.to_jsonable(loaded) == option


def test_app_serves_on_localhost_with_telemetry_off() -> None:
    command = streamlit_command(8600, headless=True)
    assert command[command.index("--server.address") + 1] == "127.0.0.1"
    assert command[command.index("--browser.gatherUsageStats") + 1] == "false"


# ---------------------------------------------------------------------------------------------
# End to end, in headless Chromium


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _needs_browser() -> None:
    reason = ""
    try:
        import playwright  # noqa: F401
        import streamlit  # noqa: F401
    except ImportError as exc:
        reason = f"{exc.name} is not installed"
    if not reason and not CHROMIUM.exists():
        reason = f"no Chromium at {CHROMIUM}"
    if reason:
        if REQUIRE_BROWSER:
            pytest.fail(f"SUFFICIENCY_SIM_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)


@pytest.fixture
def app_url():
    _needs_browser()
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        streamlit_command(port, headless=True),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(
                        f"streamlit exited: {process.stderr.read()[-2000:]}"
                    ) from None
                if time.monotonic() > deadline:
                    raise RuntimeError("streamlit did not start within 60 s") from None
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.slow
def test_app_end_to_end_in_chromium(app_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(app_url, wait_until="networkidle")
            expect(page.get_by_text("Try an option")).to_be_visible(timeout=60_000)

            def fill(label: str, value: str) -> None:
                box = page.get_by_label(label, exact=True)
                box.fill(value)
                box.press("Tab")

            fill("Replications", "2")
            fill("Years to simulate", "2")
            fill("Option name", "Nine emergency carers")
            fill("Dedicated emergency foster carers", "9")
            page.get_by_role("button", name="Run").click()
            expect(page.get_by_text("In plain words")).to_be_visible(timeout=240_000)
            headline = page.get_by_text(
                "Nine emergency carers (dedicated emergency foster carers: 3 to 9)"
            )
            expect(headline).to_be_visible(timeout=30_000)
            with page.expect_download() as info:
                page.get_by_role("button", name="Download the option as a scenario YAML").click()
            saved = tmp_path / "option.yaml"
            info.value.save_as(saved)
            page.get_by_role("button", name="Prepare the HTML report").click()
            button = page.get_by_role("button", name="Download the HTML report")
            expect(button).to_be_visible(timeout=120_000)
            with page.expect_download() as info:
                button.click()
            report = tmp_path / "report.html"
            info.value.save_as(report)
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "app.png"), full_page=True)
        finally:
            browser.close()
    loaded = scenario.load(saved)
    assert loaded.name == "Nine emergency carers"
    assert loaded.provision.inhouse_foster.emergency_households == 9
    assert loaded.horizon_years == 2
    assert not errors, errors
    page_text = report.read_text(encoding="utf-8")
    assert page_text.startswith("<!DOCTYPE html>") and "Nine emergency carers" in page_text
