"""The local probe on simulated machines: an NVIDIA box, a Mac, an AMD box, a CPU-only box."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from spicetrader.catalog.catalog import Catalog
from spicetrader.errors import SpiceError
from spicetrader.sources.bench import Measurement, bench_steps, copy_bandwidth_gbs, matmul_tflops
from spicetrader.sources.device_names import apple_chip_id, device_rules, map_device_name
from spicetrader.sources.probe import efficiency, local_option, probe_machine, save_probe


class FakeNvml:
    """The pynvml calls the probe makes, for a box with the given devices."""

    def __init__(self, devices: Sequence[tuple[str, int]], fail: bool = False, broken: int = -1):
        self.devices, self.fail, self.shut, self.broken = devices, fail, False, broken

    def nvmlInit(self) -> None:
        if self.fail:
            raise RuntimeError("NVML Shared Library Not Found")

    def nvmlShutdown(self) -> None:
        self.shut = True

    def nvmlDeviceGetCount(self) -> int:
        return len(self.devices)

    def nvmlDeviceGetHandleByIndex(self, index: int) -> int:
        return index

    def nvmlDeviceGetName(self, handle: int) -> bytes:
        return self.devices[handle][0].encode()

    def nvmlDeviceGetMemoryInfo(self, handle: int) -> SimpleNamespace:
        if handle == self.broken:
            raise RuntimeError("GPU is lost")
        return SimpleNamespace(total=self.devices[handle][1])


def runner(outputs: Mapping[str, str]) -> Callable[[Sequence[str]], str]:
    """A command runner answering from a table; anything else is 'command not found'."""

    def run(args: Sequence[str]) -> str:
        key = " ".join(args)
        if key in outputs:
            return outputs[key]
        raise FileNotFoundError(2, "No such file or directory", args[0])

    return run


FAKE_PSUTIL = SimpleNamespace(
    cpu_count=lambda logical=True: 32 if logical else 16,
    virtual_memory=lambda: SimpleNamespace(total=128_000_000_000),
)
MAC = {
    "sysctl -n machdep.cpu.brand_string": "Apple M2 Ultra\n",
    "sysctl -n hw.memsize": "206158430208\n",  # 192 GiB
    "system_profiler SPDisplaysDataType -json": json.dumps(
        {"SPDisplaysDataType": [{"sppl_model": "Apple M2 Ultra", "sppci_cores": "76"}]}
    ),
}
ROCM = {
    "rocm-smi --showproductname --showmeminfo vram --json": json.dumps({
        "card0": {"Card Series": "AMD Instinct MI300X", "VRAM Total Memory (B)": "205822885888"},
        "card1": {"Card Series": "AMD Instinct MI300X", "VRAM Total Memory (B)": "205822885888"},
    })
}  # fmt: skip


def test_nvidia_box(resolve: Callable[[str], str]) -> None:
    nvml = FakeNvml([("NVIDIA H100 80GB HBM3", 85_520_809_984)] * 8)
    result = probe_machine(resolve, nvml=nvml, run=runner({}), psutil=FAKE_PSUTIL, system="Linux")
    assert result.has_accelerator
    assert len(result.devices) == 8
    assert result.accelerator == "h100-sxm"
    assert result.devices[0].device.memory_gb == 85.5
    assert result.host.ram_gb == 128.0
    assert result.host.cpu_cores == 16
    assert nvml.shut


def test_nvml_failure_is_a_clear_error(resolve: Callable[[str], str]) -> None:
    nvml = FakeNvml([("NVIDIA L4", 24_000_000_000)] * 2, broken=1)
    with pytest.raises(SpiceError, match="NVML could not read GPU 1: GPU is lost"):
        probe_machine(resolve, nvml=nvml, run=runner({}), psutil=None, system="Linux")
    assert nvml.shut


def test_mac(resolve: Callable[[str], str]) -> None:
    result = probe_machine(resolve, nvml=None, run=runner(MAC), psutil=FAKE_PSUTIL,
                           system="Darwin")  # fmt: skip
    (device,) = result.devices
    assert device.catalog_id == "m2-ultra-76c"
    assert device.device.unified_memory
    assert device.device.memory_gb == 206.2


def test_amd_box(resolve: Callable[[str], str]) -> None:
    result = probe_machine(resolve, nvml=FakeNvml([], fail=True), run=runner(ROCM),
                           psutil=FAKE_PSUTIL, system="Linux")  # fmt: skip
    assert [d.catalog_id for d in result.devices] == ["mi300x", "mi300x"]
    assert result.devices[0].device.memory_gb == 205.8


def test_cpu_only_box_says_no_accelerator(resolve: Callable[[str], str]) -> None:
    def broken(args: Sequence[str]) -> str:
        raise subprocess.CalledProcessError(1, list(args))

    result = probe_machine(resolve, nvml=FakeNvml([], fail=True), run=broken, psutil=None,
                           system="Linux")  # fmt: skip
    assert not result.has_accelerator
    assert result.accelerator is None
    assert result.to_dict()["count"] == 0
    assert result.host.ram_gb is None  # psutil missing: unknown, not zero


def test_unknown_gpu_is_detected_but_unmapped(resolve: Callable[[str], str]) -> None:
    nvml = FakeNvml([("NVIDIA GeForce GTX 1080", 8_589_934_592)])
    result = probe_machine(resolve, nvml=nvml, run=runner({}), psutil=None, system="Linux")
    assert result.has_accelerator
    assert result.devices[0].catalog_id is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("NVIDIA H100 PCIe", "h100-pcie"),
        ("NVIDIA H100 NVL", "h100-nvl"),
        ("NVIDIA A100-SXM4-40GB", "a100-sxm-40gb"),
        ("NVIDIA A100 80GB PCIe", "a100-pcie-80gb"),
        ("Tesla T4", "t4"),
        ("NVIDIA A10G", "a10g"),
        ("NVIDIA L40S", "l40s"),
        ("NVIDIA L4", "l4"),
        ("NVIDIA GeForce RTX 4090", "rtx-4090"),
        ("NVIDIA GeForce RTX 3090 Ti", "rtx-3090-ti"),
        ("NVIDIA RTX 6000 Ada Generation", "rtx-6000-ada"),
        ("Tesla V100-SXM2-32GB", "v100-sxm-32gb"),
        ("Tesla P100-PCIE-16GB", "p100"),
    ],
)
def test_nvml_names(name: str, expected: str, resolve: Callable[[str], str]) -> None:
    assert map_device_name(name, resolve) == expected


def test_device_table_targets_exist(catalog: Catalog) -> None:
    assert {rule.accelerator for rule in device_rules()} <= set(catalog.accelerators)


def test_apple_chip_ids() -> None:
    assert apple_chip_id("Apple M1", 8) == "m1-8c"
    assert apple_chip_id("Apple M4 Max", 40) == "m4-max-40c"
    assert apple_chip_id("Apple M3 Pro", None) is None
    assert apple_chip_id("Intel(R) Core(TM) i9", 8) is None


def test_bench_formulas() -> None:
    # 1 GB copied in 0.1 s moves 2 GB (read + write): 20 GB/s
    assert copy_bandwidth_gbs(1e9, 0.1) == pytest.approx(20.0)
    # a 4096^3 matmul is 2 * 4096^3 = 1.374e11 FLOPs; in 1 s that is 0.137 TFLOP/s
    assert matmul_tflops(4096, 1.0) == pytest.approx(0.1374, rel=1e-3)


def test_quick_bench_measures_this_cpu() -> None:
    steps = bench_steps(quick=True, use_torch=False)
    assert len(steps) == 2
    results = [step.run() for step in steps]
    assert [m.metric for m in results] == ["mem_bw_gbs", "matmul_tflops"]
    assert all(m.device == "cpu" and m.value > 0 for m in results)


def test_efficiency_uses_gpu_measurements_only() -> None:
    measured = [
        Measurement("cpu", "mem_bw_gbs", 20.0, "float32", ""),
        Measurement("cuda", "mem_bw_gbs", 2700.0, "float16", ""),
        Measurement("cuda", "matmul_tflops", 700.0, "float16", ""),
    ]
    assert efficiency(measured, 3350.0, 989.0) == {"mem_bw": 0.806, "fp16_matmul": 0.708}


def test_save_and_local_option_round_trip(
    spice_home: Path, resolve: Callable[[str], str], catalog: Catalog
) -> None:
    assert local_option(spice_home, catalog) is None  # no probe yet
    result = probe_machine(resolve, nvml=None, run=runner(MAC), psutil=FAKE_PSUTIL,
                           system="Darwin")  # fmt: skip
    measured = [Measurement("mps", "mem_bw_gbs", 640.0, "float16", "torch copy")]
    eff = efficiency(measured, catalog.accelerator("m2-ultra-76c").mem_bw_gbs, None)
    path = save_probe(spice_home, result, measured, eff, datetime(2026, 11, 26, tzinfo=UTC))
    assert json.loads(path.read_text())["accelerator"] == "m2-ultra-76c"
    option = local_option(spice_home, catalog)
    assert option is not None
    assert (option.hardware, option.devices) == ("m2-ultra-76c", 1)
    assert option.memory_gb == 192.0  # 206.2 GB detected, snapped to the 192 GB config
    assert option.efficiency == {"mem_bw": 0.8}
    assert option.to_dict()["id"] == "this-machine"


def test_local_option_none_on_cpu_only(spice_home: Path, resolve: Callable[[str], str]) -> None:
    result = probe_machine(resolve, nvml=None, run=runner({}), psutil=None, system="Linux")
    save_probe(spice_home, result, [], {}, datetime(2026, 11, 26, tzinfo=UTC))
    assert local_option(spice_home) is None
