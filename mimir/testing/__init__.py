"""The harness the tests and the benchmarks share: real Redis and PostgreSQL servers on free ports, Mimir's
API, worker and beat processes, and test plugins. ``tests/`` and ``bench/`` both import it; neither imports
the other's modules for it."""
