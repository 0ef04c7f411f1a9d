"""``spice launch``: turn a plan option into the hand-off of its tier: a SkyPilot task or a dstack
configuration (rentals), a Colab or Kaggle notebook (free tiers), a shell script (owned machines
and Macs).

:func:`render_launch` works on the option dict of ``spice plan --json`` (``Plan.to_dict()``), so it
needs no planner at import time. Formats:
- SkyPilot tasks and dstack configurations (:mod:`.launch_cloud`) for rentals;
- Colab, Kaggle and plain Jupyter (SageMaker Studio Lab) notebooks (nbformat 4, see
  :mod:`.launch_colab`) for the free tiers;
- a Modal app (:mod:`.launch_modal`) for the Modal credit tiers;
- a bash script (:mod:`.launch_script`) for owned machines and Macs.
The job is the planned job (:mod:`.launch_recipe`): its precision, device count and split.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from spicetrader.errors import NotSupportedError
from spicetrader.sources.launch_cloud import dstack_config, skypilot_task
from spicetrader.sources.launch_data import provider_names
from spicetrader.sources.launch_option import required_field
from spicetrader.sources.launch_recipe import Host, Recipe, build_recipe
from spicetrader.sources.launch_tables import FreeTierRow, launch_tables
from spicetrader.spec.workload import Workload

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog

__all__ = ["LaunchTarget", "default_target", "launch_files", "render_launch"]

_RENT = "rent"
_FREE = "free"
_OWNED = frozenset({"buy", "mac"})


class LaunchTarget(StrEnum):
    SKYPILOT = "skypilot"
    DSTACK = "dstack"
    COLAB = "colab"
    KAGGLE = "kaggle"
    JUPYTER = "jupyter"
    MODAL = "modal"
    SCRIPT = "script"


def _free_tier(option: Mapping[str, Any]) -> FreeTierRow | None:
    tier_id = str(option.get("id", "")).removeprefix("free:")
    return launch_tables().free_tiers.get(tier_id)


def default_target(option: Mapping[str, Any]) -> LaunchTarget:
    """The hand-off of the option's tier: SkyPilot for rentals (dstack where only dstack knows
    the provider, a script for a machine rented on the provider's console), the free tier's
    notebook, a script for owned machines and Macs."""
    tier = str(required_field(option, "tier"))
    if tier == _RENT:
        names = provider_names().get(str(option.get("provider")))
        if names is not None and names.skypilot:
            return LaunchTarget.SKYPILOT
        return LaunchTarget.DSTACK if names is not None and names.dstack else LaunchTarget.SCRIPT
    if tier in _OWNED:
        return LaunchTarget.SCRIPT
    if tier == _FREE:
        row = _free_tier(option)
        if row is None:
            raise NotSupportedError(
                f"no hand-off recorded for {option.get('id')}: launch writes Colab, Kaggle and "
                "Jupyter notebooks and Modal apps (launch_free_tiers.csv), not Spaces apps"
            )
        return LaunchTarget(row.handoff)
    raise NotSupportedError(f"option {option.get('id')} (tier {tier}) is not launchable")


def _check_target(option: Mapping[str, Any], target: LaunchTarget) -> FreeTierRow | None:
    tier, option_id = str(option["tier"]), option["id"]
    if target in (
        LaunchTarget.COLAB,
        LaunchTarget.KAGGLE,
        LaunchTarget.JUPYTER,
        LaunchTarget.MODAL,
    ):
        row = _free_tier(option) if tier == _FREE else None
        if row is None or row.handoff != target.value:
            raise NotSupportedError(
                f"--to {target.value} is for {target.value} free-tier options; "
                f"{option_id} is tier {tier}"
            )
        return row
    if target is LaunchTarget.SCRIPT:
        if tier not in (_RENT, *_OWNED):
            raise NotSupportedError(f"--to script is for owned, Mac and rented options; "
                                    f"{option_id} is tier {tier}")  # fmt: skip
        return None
    if tier != _RENT:
        raise NotSupportedError(
            f"--to {target.value} is for rented options (tier rent); {option_id} is tier {tier}"
        )
    return None


def _host(option: Mapping[str, Any], catalog: Catalog | None, free: FreeTierRow | None) -> Host:
    from spicetrader.catalog.load import load_catalog
    from spicetrader.catalog.schema import Vendor

    accel = (catalog or load_catalog()).accelerator(str(option["hardware"]))
    use = option.get("free_use") or {}
    hours = use.get("session_hours")
    return Host(
        family=accel.family, apple=accel.vendor is Vendor.APPLE,
        nvidia=accel.vendor is Vendor.NVIDIA and accel.segment != "cpu",
        cpu=accel.segment == "cpu", bf16=bool(accel.bf16),
        persistent_dir=free.persistent_dir if free else None,
        session_hours=float(hours) if free and hours else _modal_hours(free),
    )  # fmt: skip


def _modal_hours(free: FreeTierRow | None) -> float | None:
    """Modal runs a function at most 24 h: a job stops before and resumes on the next run."""
    return 24.0 if free is not None and free.handoff == "modal" else None


def _prepare(
    option: Mapping[str, Any], workload: Workload, target: LaunchTarget | None,
    catalog: Catalog | None,
) -> tuple[LaunchTarget, Recipe, FreeTierRow | None]:  # fmt: skip
    option_id = str(required_field(option, "id"))
    required_field(option, "tier")
    required_field(option, "hardware")
    if option.get("fits") is False or option.get("status") == "does_not_fit":
        raise NotSupportedError(f"option {option_id} does not fit in memory; nothing to launch")
    target = target or default_target(option)
    free = _check_target(option, target)
    recipe = build_recipe(option, workload, _host(option, catalog, free))
    return target, recipe, free


def render_launch(
    option: Mapping[str, Any],
    workload: Workload,
    target: LaunchTarget | None = None,
    *,
    catalog: Catalog | None = None,
) -> str:
    """The launch file's text for ``option`` (a dict of ``Plan.to_dict()["options"]``).

    ``target`` defaults to the tier's hand-off (:func:`default_target`). ``catalog`` (the one
    the plan was made with) pins the offer's instance type; the bundled one is used without it.
    NotSupportedError names what is missing when the planned job cannot be written (no
    checkpoint or flag for its precision, an engine the GPU does not run, a task without recipe).
    """
    return next(iter(launch_files(option, workload, target, "launch", catalog=catalog).values()))


def launch_files(
    option: Mapping[str, Any],
    workload: Workload,
    target: LaunchTarget | None,
    name: str,
    *,
    catalog: Catalog | None = None,
) -> dict[str, str]:
    """File name -> text for the launch (the main file first). ``name``: the main file's name
    (Kaggle's ``kernel-metadata.json`` refers to it)."""
    target, recipe, free = _prepare(option, workload, target, catalog)
    if target is LaunchTarget.SKYPILOT:
        return {name: skypilot_task(option, recipe, recipe.devices, catalog)}
    if target is LaunchTarget.DSTACK:
        return {name: dstack_config(option, recipe, recipe.devices)}
    if target is LaunchTarget.SCRIPT:
        from spicetrader.sources.launch_script import shell_script

        return {name: shell_script(option, recipe)}
    from spicetrader.sources.launch_colab import kaggle_metadata, notebook
    from spicetrader.sources.launch_modal import modal_app

    if free is None:  # _check_target returns the tier row for the notebook targets
        raise NotSupportedError(f"no notebook hand-off for {option.get('id')}")
    if target is LaunchTarget.MODAL:
        return {name: modal_app(option, recipe, free)}
    files = {name: notebook(option, workload, recipe, free)}
    if target is LaunchTarget.KAGGLE:
        files["kernel-metadata.json"] = kaggle_metadata(option, free, name)
    return files
