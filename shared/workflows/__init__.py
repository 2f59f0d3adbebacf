"""Workflows: DAGs of tasks, each running a pipeline as a child job (see ARCHITECTURE.md, "Workflows")."""
