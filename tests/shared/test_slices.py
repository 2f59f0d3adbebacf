"""A slice installs itself: its permissions, plugin types and plugins, settings section and tables reach the
platform, the settings and the services without an edit anywhere else."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.config import ConfigError, load_settings
from shared.errors import MimirError
from shared.jobs.kinds import UnknownJobKind
from shared.plugins.registry import PluginRegistry
from shared.services import build_services
from shared.slices import SLICES, SliceError, install_slice, load_platform
from tests.shared.sample_slice import SAMPLES_READ, SampleSettings

SAMPLE = "tests.shared.sample_slice"
ECHO = "tests.integration.kinds.echo"


def test_every_listed_slice_installs() -> None:
    assert load_platform().installed == list(SLICES)


def test_a_slices_permissions_and_plugins_are_registered() -> None:
    platform = load_platform([SAMPLE])
    assert SAMPLES_READ in platform.permissions
    registry = PluginRegistry.default(include_entry_points=False, platform=platform)
    plugin = registry.get("Sample.echo")
    assert plugin is not None and plugin.key() == "Sample.echo"
    assert "Sample" in registry.types


def test_the_tables_of_every_slice_are_named_for_migrations() -> None:
    assert set(load_platform().model_modules) == {
        "shared.security.records",
        "shared.pipelines.records",
        "shared.jobs.records",
        "shared.scheduling.records",
        "shared.twins.records",
        "shared.workflows.records",
    }


def test_a_slices_section_is_read_from_the_file_and_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("samples:\n  max_items: 3\n  tags: [a, b]\nserver:\n  port: 9000\n")
    settings = load_settings(
        config, environ={"MIMIR_SAMPLES_IS_STRICT": "yes"}, slice_sections=("samples",), data_dir=tmp_path
    )
    services = build_services(settings, load_platform([SAMPLE]))
    try:
        assert services.section(SampleSettings) == SampleSettings(
            max_items=3, label="sample", is_strict=True, tags=("a", "b")
        )
    finally:
        services.close()


def test_a_bad_value_in_a_slices_section_is_named(tmp_path: Path) -> None:
    settings = load_settings(
        environ={"MIMIR_SAMPLES_MAX_ITEMS": "many"}, slice_sections=("samples",), data_dir=tmp_path
    )
    with pytest.raises(ConfigError, match="bad value for samples.max_items"):
        build_services(settings, load_platform([SAMPLE]))


def test_an_unknown_key_in_a_slices_section_is_named(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("samples:\n  max_itmes: 3\n")
    settings = load_settings(config, environ={}, slice_sections=("samples",), data_dir=tmp_path)
    with pytest.raises(ConfigError, match="unknown setting samples.max_itmes"):
        build_services(settings, load_platform([SAMPLE]))


def test_a_section_no_slice_owns_is_still_refused(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("samples:\n  max_items: 3\n")
    with pytest.raises(ConfigError, match="unknown setting samples.max_items"):
        load_settings(config, environ={})


def test_a_plugin_two_slices_provide_is_refused() -> None:
    with pytest.raises(SliceError, match="'Utility.noop' is already provided by slice shared.pipelines"):
        load_platform(["tests.shared.duplicate_plugin_slice"])


def test_the_extra_slices_setting_installs_a_slice_in_every_process(tmp_path: Path) -> None:
    settings = load_settings(environ={"MIMIR_PLATFORM_EXTRA_SLICES": SAMPLE}, data_dir=tmp_path)
    services = build_services(settings)
    try:
        assert services.platform.installed == [*SLICES, SAMPLE]
        assert services.plugins.get("Sample.echo") is not None
    finally:
        services.close()


def test_a_third_party_slice_named_in_the_file_may_own_a_section_of_it(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"platform:\n  extra_slices: [{SAMPLE}]\nsamples:\n  label: mine\n")
    services = build_services(load_settings(config, environ={}, data_dir=tmp_path))
    try:
        assert services.section(SampleSettings).label == "mine"
    finally:
        services.close()


def test_the_built_in_platform_installs_the_schedulable_pipeline_kind() -> None:
    pipeline = load_platform().job_kinds.get("pipeline")
    assert (pipeline.queue, pipeline.is_schedulable) == ("mimir.pipelines", True)


def test_an_extra_slice_adds_its_kind_and_queue_after_the_built_in_ones() -> None:
    kinds = load_platform([ECHO]).job_kinds
    assert kinds.names == ["digital_twin", "echo", "pipeline", "workflow"]
    assert kinds.queues == ["mimir.pipelines", "mimir.twins", "mimir.workflows", "mimir.test.echo"]


def test_a_slice_named_twice_is_installed_once() -> None:
    platform = load_platform([ECHO, ECHO])
    install_slice(platform, ECHO)
    assert platform.installed.count(ECHO) == 1


def test_a_misspelt_slice_is_refused_with_its_name() -> None:
    with pytest.raises(SliceError, match="slice 'nope.nothing' cannot be imported"):
        load_platform(["nope.nothing"])


def test_a_module_without_install_is_refused() -> None:
    with pytest.raises(SliceError, match="has no install"):
        load_platform(["shared.db"])


def test_two_slices_adding_one_kind_name_are_refused() -> None:
    platform = load_platform([ECHO])
    platform.installed.remove(ECHO)
    with pytest.raises(MimirError, match="'echo' is installed twice"):
        install_slice(platform, ECHO)


def test_an_unknown_kind_names_the_installed_ones() -> None:
    installed = r"\(installed: digital_twin, pipeline, workflow\)"
    with pytest.raises(UnknownJobKind, match=r"unknown job kind 'twin' " + installed):
        load_platform().job_kinds.get("twin")
