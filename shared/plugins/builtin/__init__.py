"""Built-in plugins, imported lazily by the registry from this table."""

BUILTIN_PLUGINS: dict[str, str] = {
    "Utility.noop": "shared.plugins.builtin.utility:Noop",
    "Utility.sleep": "shared.plugins.builtin.utility:Sleep",
    "Utility.fib": "shared.plugins.builtin.utility:Fibonacci",
}
