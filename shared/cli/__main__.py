"""``python -m shared.cli``: the same as the ``mimir`` command."""

from shared.cli import main

main()
