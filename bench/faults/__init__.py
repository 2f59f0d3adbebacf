"""Fault scripts: kill, restart and feed garbage to a real stack, and report what survived.

Each is ``python -m bench.faults.<name> [--smoke]``; see ``bench/README.md``.
"""
