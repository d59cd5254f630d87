"""Command-line options shared by the commands, so they read (and are checked) the same."""

from __future__ import annotations

import click

MAX_SEED = 2**63 - 1
"""The largest --seed: numpy's SeedSequence takes any non-negative whole number, and this
keeps it within a JSON/CSV-safe signed 64-bit integer."""

seed_option = click.option(
    "--seed",
    default=2019,
    show_default=True,
    type=click.IntRange(0, MAX_SEED),
    help="Master random seed (a whole number from 0).",
)
jobs_option = click.option(
    "--jobs",
    "-j",
    default=0,
    show_default=True,
    type=click.IntRange(0),
    help="Worker processes (0 = one per core; 1 = none, in this process).",
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
