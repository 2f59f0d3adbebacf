"""The API of the platform itself, served whatever slices are installed: health, the effective
configuration and the plain-text views."""

from __future__ import annotations

from backend.api import config, health, visualize

blueprints = (health.blp, config.blp, visualize.blp)
