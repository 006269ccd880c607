"""Statistics: regressions on statsmodels, their numerics and display tables."""
