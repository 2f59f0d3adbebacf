"""Pipelines: the YAML model, its validation, the engine that runs it, and their storage."""
