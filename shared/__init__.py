"""Mimir AIP: the domain shared by the API (``backend``) and the workers (``worker``)."""

__version__ = "0.1.0"
