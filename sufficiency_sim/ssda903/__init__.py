"""The SSDA903 data standard: code lists, reading, cleaning, writing and validating returns."""

from sufficiency_sim.ssda903.clean import CleaningReport, clean_episodes, clean_header
from sufficiency_sim.ssda903.read import read_episodes, read_header
from sufficiency_sim.ssda903.write import write_episodes, write_header

__all__ = [
    "CleaningReport",
    "clean_episodes",
    "clean_header",
    "read_episodes",
    "read_header",
    "write_episodes",
    "write_header",
]
