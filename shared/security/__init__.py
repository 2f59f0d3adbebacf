"""API keys, roles and permissions: who may call what."""
