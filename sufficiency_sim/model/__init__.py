"""The discrete-event model. Imports simpy and numpy only: no files, pandas or CLI here."""

from sufficiency_sim.model.history import RunHistory
from sufficiency_sim.model.processes import Simulation, simulate

__all__ = ["RunHistory", "Simulation", "simulate"]
