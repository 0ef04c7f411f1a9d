"""Fleet planning for a small team: what to own for the base load, what to rent for peaks."""

from spicetrader.fleet.fleet import fleet
from spicetrader.fleet.models import FleetPlan
from spicetrader.fleet.team import Team, parse_team

__all__ = ["FleetPlan", "Team", "fleet", "parse_team"]
