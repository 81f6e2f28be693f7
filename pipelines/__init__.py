"""thresher stages: plain typed functions over polars frames, no Prefect here."""
