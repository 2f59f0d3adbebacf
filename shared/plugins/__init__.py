"""Plugin SDK, registry and built-in plugins."""
