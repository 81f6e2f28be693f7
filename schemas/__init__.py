"""pandera models for each data layer, plus shared vectorised checks."""
