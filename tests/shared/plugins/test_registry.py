from __future__ import annotations

import sys
from pathlib import Path

import pytest

from shared.plugins.builtin.utility import Noop
from shared.plugins.registry import PluginRegistry, PluginRegistryError

PLUGIN_FILE = """
from shared.plugins.base import Plugin

class Shout(Plugin):
    type = "Data_Processing"
    name = "shout"
    config_schema = {"type": "object", "properties": {"text": {"type": "string"}}}

    def execute_step(self, step, context):
        return step.config["text"].upper()
"""


def test_builtins_are_listed_without_importing_their_modules() -> None:
    sys.modules.pop("shared.plugins.builtin.utility", None)
    registry = PluginRegistry.default(include_entry_points=False)
    assert "Utility.noop" in registry.keys()
    assert "shared.plugins.builtin.utility" not in sys.modules


def test_a_builtin_is_imported_on_first_use() -> None:
    registry = PluginRegistry.default(include_entry_points=False)
    plugin = registry.get("Utility.noop")
    assert plugin is not None and plugin.key() == "Utility.noop"


def test_unknown_plugin_is_none() -> None:
    assert PluginRegistry.default(include_entry_points=False).get("Input.nothing") is None


def test_plugins_in_a_directory_are_found(tmp_path: Path) -> None:
    (tmp_path / "shout.py").write_text(PLUGIN_FILE)
    registry = PluginRegistry.default([tmp_path], include_entry_points=False)
    plugin = registry.get("Data_Processing.shout")
    assert plugin is not None and plugin.name == "shout"


def test_a_duplicate_name_is_refused_naming_both_sources(tmp_path: Path) -> None:
    (tmp_path / "noop.py").write_text(
        PLUGIN_FILE.replace('"Data_Processing"', '"Utility"').replace('"shout"', '"noop"')
    )
    registry = PluginRegistry.default([tmp_path], include_entry_points=False)
    with pytest.raises(
        PluginRegistryError, match=r"duplicate plugin 'Utility.noop': file .*noop.py and builtin"
    ):
        registry.keys()


def test_registering_the_same_class_twice_is_refused() -> None:
    registry = PluginRegistry()
    registry.add(Noop)
    with pytest.raises(PluginRegistryError, match="duplicate plugin 'Utility.noop'"):
        registry.add(Noop)


def test_a_bad_type_name_is_refused() -> None:
    with pytest.raises(PluginRegistryError, match="must be 'Type.name'"):
        PluginRegistry().add_lazy("Nonsense.x", "a:b", origin="test")


def test_a_plugin_file_that_fails_to_import_names_itself(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("raise ValueError('nope')\n")
    registry = PluginRegistry.default([tmp_path], include_entry_points=False)
    with pytest.raises(PluginRegistryError, match="broken.py failed to import: nope"):
        registry.keys()
