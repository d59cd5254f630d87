"""The SSDA903 data standard: code lists, reading, cleaning, writing and validating returns.

Canonical frames are described in `schema`; `read_episodes` / `read_header` return them (plus
``_source`` and ``_row``), `clean_episodes` / `clean_header` merge several years' returns,
`write_episodes` / `write_header` write them back in the return's layout, and `validate_903`
lists the problems of a return without stopping at the first.
"""

from sufficiency_sim.ssda903.clean import CleaningReport, clean_episodes, clean_header
from sufficiency_sim.ssda903.read import read_episodes, read_header
from sufficiency_sim.ssda903.validate import Problem, validate_903
from sufficiency_sim.ssda903.write import write_episodes, write_header

__all__ = [
    "CleaningReport",
    "Problem",
    "clean_episodes",
    "clean_header",
    "read_episodes",
    "read_header",
    "validate_903",
    "write_episodes",
    "write_header",
]
