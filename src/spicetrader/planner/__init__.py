"""The planner: every way in (buy, mac, rent, free) for one workload, ranked, with the economics.

``plan(spec, catalog=None, constraints=None, **kw) -> Plan``; ``Plan.to_dict()`` is the JSON of
``spice plan --json``.
"""

from __future__ import annotations

from spicetrader.planner.constraints import PlanConstraints, Tier
from spicetrader.planner.local import LocalMachine
from spicetrader.planner.models import Plan, PlanOption
from spicetrader.planner.plan import plan

__all__ = ["LocalMachine", "Plan", "PlanConstraints", "PlanOption", "Tier", "plan"]
