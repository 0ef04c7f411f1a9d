"""``devices: "auto"``: the smallest device count (and nodes) on which a workload fits.

The search the suggestions (``suggest.py``) and the estimator share. A count "fits" when the
memory model says so for the workload as given (precision, engine, method; the layout chosen as
for any estimate), the same test the planner applies to every option. Candidates grow as
machines do: powers of two inside one machine (1, 2, 4, 8: the sizes cloud instances and servers
come in), then whole machines (``data/nodes.csv``: devices per node), doubling, and finally the
smallest whole-machine count between the last that did not fit and the first that did (a binary
search; memory per device only falls as devices are added). Macs are one device each: clustering
them is not modelled, so "auto" on Apple means one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from spicetrader.catalog.schema import Vendor
from spicetrader.costmodel.cluster import default_nodes, node_row

if TYPE_CHECKING:
    from spicetrader.catalog.schema import Accelerator
    from spicetrader.spec.workload import Workload

__all__ = ["MAX_AUTO_DEVICES", "AutoDevices", "candidate_counts", "smallest_fitting"]

MAX_AUTO_DEVICES: Final = 16_384  # a large training cluster; beyond it "auto" gives up

Fits = Callable[["Workload"], bool]


@dataclass(frozen=True, slots=True)
class AutoDevices:
    """The count chosen (``fits`` False: none up to the limit fits; the largest tried)."""

    devices: int
    nodes: int
    fits: bool
    tried: int  # counts estimated

    def assumption(self, accel_id: str) -> str:
        where = f"{self.devices} x {accel_id}"
        if self.nodes > 1:
            where += f" in {self.nodes} nodes of {self.devices // self.nodes}"
        if not self.fits:
            return f"devices auto: nothing up to {where} fits"
        counts = "count" if self.tried == 1 else "counts"
        return f"devices auto: {where}, the fewest that fit ({self.tried} {counts} tried)"


def _per_node(accel: Accelerator) -> int:
    if accel.vendor is Vendor.APPLE:
        return 1
    return node_row(accel).devices_per_node


def candidate_counts(accel: Accelerator, limit: int = MAX_AUTO_DEVICES) -> Iterator[int]:
    """Device counts to try, smallest first: 1, 2, 4... up to one machine, then whole machines
    doubling (Apple: 1 only)."""
    if accel.vendor is Vendor.APPLE:
        yield 1
        return
    per_node = _per_node(accel)
    n = 1
    while n < per_node and n <= limit:
        yield n
        n *= 2
    machines = 1
    while machines * per_node <= limit:
        yield machines * per_node
        machines *= 2


def _with_count(workload: Workload, devices: int, per_node: int) -> Workload:
    nodes = default_nodes(devices, per_node)
    return workload.model_copy(update={"devices": devices, "nodes": nodes})


def smallest_fitting(
    workload: Workload, accel: Accelerator, fits: Fits, limit: int = MAX_AUTO_DEVICES
) -> tuple[Workload, AutoDevices]:
    """The workload on the fewest devices of ``accel`` for which ``fits`` holds.

    ``fits`` answers for one concrete workload (the caller's memory test). Counts follow
    :func:`candidate_counts`; past one machine, the smallest whole-machine count between the
    last miss and the first fit is found by bisection.
    """
    per_node = _per_node(accel)
    tried = 0
    last_miss = 0
    last: Workload | None = None
    for count in candidate_counts(accel, limit):
        trial = _with_count(workload, count, per_node)
        tried += 1
        last = trial
        if not fits(trial):
            last_miss = count
            continue
        if count <= per_node or last_miss < per_node:
            return trial, AutoDevices(count, trial.nodes, True, tried)
        lo, hi = last_miss // per_node, count // per_node  # machines: lo misses, hi fits
        best = trial
        while hi - lo > 1:
            mid = (lo + hi) // 2
            probe = _with_count(workload, mid * per_node, per_node)
            tried += 1
            if fits(probe):
                hi, best = mid, probe
            else:
                lo = mid
        return best, AutoDevices(best.device_count, best.nodes, True, tried)
    if last is None:  # the limit is below one device: never with MAX_AUTO_DEVICES
        last = _with_count(workload, 1, per_node)
    return last, AutoDevices(last.device_count, last.nodes, False, tried)
