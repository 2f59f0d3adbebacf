"""Loading the platform: the listed slices, then extra ones by module name, each once."""

from __future__ import annotations

import pytest

from shared.errors import MimirError
from shared.jobs.kinds import UnknownJobKind
from shared.slices import SliceError, install_slice, load_platform

ECHO = "tests.integration.kinds.echo"


def test_the_built_in_platform_installs_the_schedulable_pipeline_kind() -> None:
    pipeline = load_platform().job_kinds.get("pipeline")
    assert (pipeline.queue, pipeline.is_schedulable) == ("mimir.pipelines", True)


def test_an_extra_slice_adds_its_kind_and_queue_after_the_built_in_ones() -> None:
    kinds = load_platform([ECHO]).job_kinds
    assert kinds.names == ["echo", "pipeline"]
    assert kinds.queues == ["mimir.pipelines", "mimir.test.echo"]


def test_a_slice_named_twice_is_installed_once() -> None:
    platform = load_platform([ECHO, ECHO])
    install_slice(platform, ECHO)
    assert platform.installed.count(ECHO) == 1


def test_a_misspelt_slice_is_refused_with_its_name() -> None:
    with pytest.raises(SliceError, match="slice 'nope.nothing' cannot be imported"):
        load_platform(["nope.nothing"])


def test_a_module_without_install_is_refused() -> None:
    with pytest.raises(SliceError, match="has no install"):
        load_platform(["shared.jobs"])


def test_two_slices_adding_one_kind_name_are_refused() -> None:
    platform = load_platform([ECHO])
    platform.installed.remove(ECHO)
    with pytest.raises(MimirError, match="'echo' is installed twice"):
        install_slice(platform, ECHO)


def test_an_unknown_kind_names_the_installed_ones() -> None:
    with pytest.raises(UnknownJobKind, match=r"unknown job kind 'twin' \(installed: pipeline\)"):
        load_platform().job_kinds.get("twin")
