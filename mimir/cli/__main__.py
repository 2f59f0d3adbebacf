"""``python -m mimir.cli``: the same as the ``mimir`` command."""

from mimir.cli import main

main()
