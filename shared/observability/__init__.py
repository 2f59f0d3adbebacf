"""Observability: Prometheus metrics of every process, structured logs carrying request and job ids,
and text views of the system."""
