"""Prometheus metrics of every process (API, workers, beat) and the summaries built from them."""
