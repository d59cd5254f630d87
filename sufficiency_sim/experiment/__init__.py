"""Experiments: replications of scenarios on common random numbers, their checkpoints and the
executors (serial, processes, Dask) that run them."""
