"""Regenerate the screenshots in docs/images/: the HTML report at 1280 and 400 px wide and the
local app's levers and its results after a run. Prints how long each step took (the README's
first-steps times).

    python scripts/make_screenshots.py [--replications 10] [--out docs/images]

Needs Chromium at /usr/bin/chromium and the playwright and streamlit packages. The report is
of the York baseline and options (a) and (b) with the given replications (seed 2019); the app
runs the York baseline against nine dedicated emergency foster carers.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"


def _cli(*args: str) -> float:
    started = time.perf_counter()
    command = [sys.executable, "-c", "from sufficiency_sim.cli import main; main()", *args]
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    from playwright.sync_api import expect, sync_playwright

    from sufficiency_sim.cli.app import streamlit_command

    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="screenshots-"))
    options = ROOT / "scenarios" / "options"
    seconds = _cli(
        "compare",
        "scenarios/york_baseline.yaml",
        str(options / "a_two_local_homes.yaml"),
        str(options / "b_recruitment_campaign.yaml"),
        "-n",
        str(args.replications),
        "--jobs",
        "2",
        "--out",
        str(work / "compare"),
        "-q",
    )
    print(f"compare (3 scenarios x {args.replications} replications): {seconds:.1f} s")
    seconds = _cli("report", str(work / "compare"), "--out", str(work / "report.html"))
    print(f"report: {seconds:.1f} s")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for width, height in ((1280, 1600), (400, 1600)):
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto((work / "report.html").as_uri(), wait_until="load")
            page.screenshot(path=str(args.out / f"report_{width}.png"))
            page.close()
        port = _free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        started = time.perf_counter()
        server = subprocess.Popen(
            streamlit_command(port, headless=True),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            while True:
                try:
                    with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                        break
                except OSError:
                    time.sleep(0.3)
            page = browser.new_page(viewport={"width": 1280, "height": 1100})
            page.goto(url, wait_until="networkidle")
            expect(page.get_by_text("Try an option")).to_be_visible(timeout=60_000)
            print(f"app: serving and page shown in {time.perf_counter() - started:.1f} s")
            box = page.get_by_label("Dedicated emergency foster carers", exact=True)
            box.fill("9")
            box.press("Tab")
            name = page.get_by_label("Option name", exact=True)
            name.fill("Nine emergency carers")
            name.press("Tab")
            started = time.perf_counter()
            page.get_by_role("button", name="Run").click()
            expect(page.get_by_text("In plain words")).to_be_visible(timeout=600_000)
            took = time.perf_counter() - started
            print(f"app: run of 2 scenarios x 10 replications in {took:.1f} s")
            page.screenshot(path=str(args.out / "app_levers.png"))
            heading = page.get_by_role("heading", name="In plain words")
            heading.evaluate("e => e.scrollIntoView({block: 'start'})")
            page.mouse.move(700, 600)
            page.mouse.wheel(0, 450)
            time.sleep(2.0)  # let the charts draw
            page.screenshot(path=str(args.out / "app_results.png"))
        finally:
            server.terminate()
            server.wait(timeout=20)
        browser.close()
    print(f"wrote {args.out}/report_1280.png, report_400.png, app_levers.png, app_results.png")


if __name__ == "__main__":
    main()
