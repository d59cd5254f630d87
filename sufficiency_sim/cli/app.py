"""The `app` command: start the local web app (Streamlit) on this machine only.

The app is served on 127.0.0.1 (not reachable from other machines), with Streamlit's usage
statistics turned off, so no data leave the machine. Registered by `sufficiency_sim.cli.group`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

APP_FILE = Path(__file__).resolve().parents[1] / "app" / "main.py"


def streamlit_command(port: int, headless: bool) -> list[str]:
    """The command line that serves the app on 127.0.0.1:`port` with telemetry off."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_FILE),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true" if headless else "false",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--global.developmentMode",
        "false",
        "--client.toolbarMode",
        "minimal",
    ]


@click.command("app")
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-browser", is_flag=True, help="Do not open a browser tab.")
def app_command(port: int, no_browser: bool) -> None:
    """Start the local app: pick a baseline and options, change the main levers with forms,
    run, see the headline, charts and tables, save the option as a scenario YAML and download
    the HTML report. It runs on this machine only (127.0.0.1); nothing is sent anywhere.

    \b
    Example:
      sufficiency-sim app --port 8501
    """
    try:
        import streamlit  # noqa: F401
    except ImportError:
        from sufficiency_sim.errors import InputError

        raise InputError(
            "the app needs Streamlit: pip install 'sufficiency-sim[app]' (or pip install streamlit)"
        ) from None
    click.echo(f"sufficiency-sim app on http://127.0.0.1:{port} (Ctrl+C to stop)", err=True)
    raise SystemExit(subprocess.call(streamlit_command(port, headless=no_browser)))
