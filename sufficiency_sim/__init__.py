"""sufficiency-sim: a discrete-event simulation of a local authority's placement system."""

__version__ = "0.1.0"
