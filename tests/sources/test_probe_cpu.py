"""The probed host CPU mapped to a catalog CPU row; a CPU-only machine as "this machine"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from spicetrader.catalog.catalog import Catalog
from spicetrader.sources.local import this_machine
from spicetrader.sources.probe import ProbeResult, local_option, save_probe
from spicetrader.sources.probe_cpu import cpu_catalog_id, cpu_name_candidates
from spicetrader.sources.probe_detect import HostInfo


@pytest.mark.parametrize(
    ("reported", "catalog_id"),
    [
        ("AMD Ryzen 9 7950X 16-Core Processor", "ryzen-9-7950x"),  # Linux /proc/cpuinfo
        ("13th Gen Intel(R) Core(TM) i9-13900K", "core-i9-13900k"),
        ("Intel(R) Core(TM) i9-10900X CPU @ 3.70GHz", "core-i9-10900x"),
        ("AMD EPYC 9654 96-Core Processor", "epyc-9654"),
        ("AMD Ryzen 7 7700X 8-Core Processor", None),  # not in the catalog: no near miss
        ("x86_64", None),
    ],
)
def test_cpu_names_map_to_catalog_rows(
    reported: str, catalog_id: str | None, resolve: Callable[[str], str]
) -> None:
    assert cpu_catalog_id(reported, resolve) == catalog_id


def test_decorations_are_dropped() -> None:
    assert cpu_name_candidates("13th Gen Intel(R) Core(TM) i9-13900K") == [
        "13th Gen Intel(R) Core(TM) i9-13900K",
        "Intel Core i9-13900K",
    ]


def _save_cpu_only(home: Path) -> None:
    host = HostInfo("Linux", "x86_64", "AMD Ryzen 9 7950X 16-Core Processor", 16, 32, 66.5)
    result = ProbeResult(host, (), "ryzen-9-7950x")
    save_probe(home, result, [], {}, datetime(2026, 12, 3, tzinfo=UTC))


def test_a_cpu_only_machine_is_its_cpu_with_its_ram(spice_home: Path, catalog: Catalog) -> None:
    _save_cpu_only(spice_home)
    option = local_option(spice_home, catalog)
    assert option is not None
    assert (option.hardware, option.devices) == ("ryzen-9-7950x", 1)
    assert option.memory_gb == 64  # 66.5 GB reported = 61.9 GiB, snapped to the 64 GB config
    machine = this_machine(spice_home, catalog)
    assert machine is not None
    assert machine.host_cpu == "ryzen-9-7950x"
    assert machine.host_memory_gb == pytest.approx(66.5e9 / 2**30, abs=0.05)
