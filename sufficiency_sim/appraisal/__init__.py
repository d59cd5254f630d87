"""Option appraisal: paired differences between scenarios, their intervals, value for money,
precision, and compare and sweep as library functions."""
