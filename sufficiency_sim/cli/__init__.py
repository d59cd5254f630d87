"""The command line (click only: parse the arguments, call the library, print the result)."""

from sufficiency_sim.cli.group import main

__all__ = ["main"]
