"""Measures of a 903 history, simulated or observed: the DfE indicators, costs, system measures
(occupancy, bridging, waiting) and their confidence intervals. Knows nothing of the model."""
