"""The `sufficiency-sim` command line. Thin: it parses arguments and calls the package API."""

from __future__ import annotations

import click

from sufficiency_sim import __version__
from sufficiency_sim.errors import InputError


class _Group(click.Group):
    """A click group that turns bad input into one clear message and exit status 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except InputError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="sufficiency-sim")
def cli() -> None:
    """Placement sufficiency simulation for an English local authority."""


def _register() -> None:
    from sufficiency_sim import cli_903

    cli.add_command(cli_903.indicators_command)
    cli.add_command(cli_903.validate_command)


def main() -> None:
    """Entry point of the `sufficiency-sim` console script."""
    _register()
    cli()


if __name__ == "__main__":
    main()
