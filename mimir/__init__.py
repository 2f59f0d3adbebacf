"""The composition root: the ``mimir`` command, the supervisor of ``mimir up`` and the launchers of the
API server and Redis. It wires ``backend``, ``worker`` and ``shared`` together; nothing in them imports it."""
