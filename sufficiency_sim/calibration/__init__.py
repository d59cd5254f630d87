"""Calibration: turn an authority's SSDA903 extract into a runnable scenario and census.

Layered, each module importing only those above it:

- reading, coding, window, extract, prepare: the extract, cleaned and cut to a window;
- optimise, survival, lognormal, kaplan_meier, entry_rate: the fits;
- parts and the estimators (entries, routes, pathway_steps, placement_mix, locations,
  endings), each returning its part of the scenario with its evidence; estimate joins them;
- census, scenario_writer, refine, uncertainty, pipeline (`calibrate`): the scenario;
- backtest and report: checking it against the extract.

Nothing here keeps a child's identifier, date of birth or postcode in what it returns.
"""
