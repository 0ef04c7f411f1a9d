"""``devices: "auto"``: the fewest devices that fit, in the library, the CLI and the web API."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from spicetrader.catalog.load import load_catalog
from spicetrader.cli.app import app
from spicetrader.costmodel import estimate
from spicetrader.costmodel.autodevices import candidate_counts
from spicetrader.errors import InputError
from spicetrader.spec.workload import Workload
from spicetrader.web.app import create_app

CATALOG = load_catalog()

CASES = [
    # weights alone: 140 GB at bf16 -> more than one 80 GB H100
    {"model": "llama-3-70b", "hardware": "h100-sxm", "precision": "bf16"},
    # 16 bytes per parameter of mixed-precision Adam state: several machines for 70B
    {"model": "llama-3-70b", "task": "pretrain", "hardware": "h100-sxm"},
    {"model": "llama-2-13b", "task": "pretrain", "hardware": "a100-sxm-80gb"},
    {"model": "llama-3-8b", "hardware": "rtx-4090", "precision": "q4_k_m"},
]


def _fits(spec: dict[str, object], devices: int) -> bool:
    return estimate({**spec, "devices": devices}, CATALOG).fits


@pytest.mark.parametrize("spec", CASES)
def test_auto_is_the_smallest_candidate_that_fits(spec: dict[str, object]) -> None:
    est = estimate({**spec, "devices": "auto"}, CATALOG)
    chosen = est.workload.device_count
    assert est.fits
    assert _fits(spec, chosen)
    accel = CATALOG.accelerators[str(spec["hardware"])]
    smaller = [c for c in candidate_counts(accel) if c < chosen]
    per_node = 8
    # every smaller count in a machine, and every smaller whole-machine count, does not fit
    below = sorted({*smaller, *range(per_node, chosen, per_node)})
    assert not any(_fits(spec, c) for c in below[-3:])
    assert est.assumptions[0].startswith(f"devices auto: {chosen} x {accel.id}")


def test_auto_fills_whole_nodes() -> None:
    est = estimate({**CASES[1], "devices": "auto"}, CATALOG)
    assert est.workload.device_count > 8
    assert est.workload.device_count % 8 == 0
    assert est.workload.nodes == est.workload.device_count // 8


def test_pretraining_gpu_hours_get_an_answer() -> None:
    """Llama-2-13B on 2T tokens: Meta's paper (Touvron et al. 2023, table 2) reports 368,640
    A100-80GB GPU-hours; with devices auto the estimate answers the same question within 2x."""
    est = estimate({**CASES[2], "devices": "auto", "pretrain": {"tokens": 2e12}}, CATALOG)
    assert est.training is not None
    assert est.training.total_hours is not None
    gpu_hours = est.training.total_hours * est.workload.device_count
    assert 368_640 / 2 < gpu_hours < 368_640 * 2


def test_apple_is_one_mac() -> None:
    est = estimate({"model": "llama-3-70b", "hardware": "m2-ultra-76c", "devices": "auto"})
    assert est.workload.devices == 1


def test_nothing_fits_says_so() -> None:
    spec = {"model": "llama-3.1-405b", "task": "pretrain", "hardware": "rtx-3070"}
    est = estimate({**spec, "devices": "auto"}, CATALOG)
    assert not est.fits
    assert "nothing up to" in est.assumptions[0]


def test_device_count_refuses_unresolved_auto() -> None:
    wl = Workload.model_validate({"model": "llama-3-8b", "devices": "auto", "nodes": 3})
    with pytest.raises(InputError):
        _ = wl.device_count


def test_cli_devices_auto() -> None:
    args = ["estimate", "llama-3-70b", "--hardware", "h100-sxm", "--precision", "bf16",
            "--devices", "auto", "--json"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["workload"]["devices"] == 2


def test_cli_devices_rejects_words() -> None:
    result = CliRunner().invoke(app, ["estimate", "llama-3-8b", "--hardware", "rtx-4090",
                                      "--devices", "many"])  # fmt: skip
    assert result.exit_code == 2
    assert "--devices" in result.output


def test_web_api_devices_auto() -> None:
    web = create_app(catalog=CATALOG, estimator=lambda wl, cat: estimate(wl, cat))
    with TestClient(web) as client:
        body = client.post("/api/estimate", json={**CASES[0], "devices": "auto"}).json()
    assert body["workload"]["devices"] == 2
    assert body["fits"] is True


def test_cli_image_job_time_shrinks_with_devices() -> None:
    """`spice estimate sdxl --devices N --images 10000`: N devices, 1/N of the hours, the same
    device-hours (each device runs its own pipeline)."""

    def hours(devices: int) -> tuple[float, float]:
        args = ["estimate", "sdxl", "--task", "image", "--hardware", "rtx-4090",
                "--devices", str(devices), "--images", "10000", "--json"]  # fmt: skip
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        image = json.loads(result.output)["image"]
        wall = 10_000 / image["images_per_s"] / 3600
        return wall, wall * devices

    one, eight = hours(1), hours(8)
    assert eight[0] == pytest.approx(one[0] / 8)
    assert eight[1] == pytest.approx(one[1])
    text = CliRunner().invoke(app, ["estimate", "sdxl", "--task", "image", "--hardware",
                                    "rtx-4090", "--devices", "8", "--images", "10000"])  # fmt: skip
    assert "time for 10,000 images" in text.output


def test_a_ten_card_pcie_pod_is_one_machine() -> None:
    """Clouds rent 10 PCIe cards as one machine (catalog offers with count 10): the estimate
    must not split them into two nodes of 5 over the network."""
    tens = [o for o in CATALOG.offers if o.count == 10]
    assert tens, "the catalog lists 10-card instances"
    for offer in tens:
        est = estimate(
            {"model": "llama-3-8b", "hardware": offer.accelerator, "devices": 10}, CATALOG
        )
        assert est.workload.nodes == 1, offer.id
