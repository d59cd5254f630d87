"""Command-line options shared by `run`, `compare` and `sweep`, so they read the same."""

from __future__ import annotations

import click

seed_option = click.option(
    "--seed", default=2019, show_default=True, type=int, help="Master random seed."
)
jobs_option = click.option(
    "--jobs",
    "-j",
    default=1,
    show_default=True,
    type=click.IntRange(0),
    help="Worker processes (0 = one per core).",
)
dask_option = click.option(
    "--dask",
    "dask_address",
    default=None,
    metavar="local|tcp://HOST:PORT",
    help="Run on a Dask cluster: 'local' starts one, or give a scheduler's address.",
)
set_option = click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a scenario value (read as YAML), e.g. --set entries.rate_per_year=80.",
)
quiet_option = click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
