"""Calibration: turn an authority's SSDA903 extract into scenario parameters.

`prepare` cleans a multi-year extract into periods of care and placements inside a window;
`survival` fits the model's time-in-care pathways; `estimate` turns the window into values at
the scenario's dotted keys, with notes and diagnostics. Nothing here keeps a child's identifier,
date of birth or postcode in what it returns.
"""
