"""`python -m sufficiency_sim.cli`: the same as the `sufficiency-sim` command."""

from sufficiency_sim.cli.group import main

main()
