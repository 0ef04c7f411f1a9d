"""The human view of a :class:`~spicetrader.planner.models.Plan` as blocks (``render/blocks.py``:
rich prints them on a terminal, ``render/plain_text.py`` when piped): the picks first
(``render/plan_picks.py``), then one ranked table per tier, then the assumptions.

The default tables fit 100 columns: few columns, option ids shortened with an ellipsis, numbers
never wrapped or cut (their columns are as wide as their widest value). ``wide=True`` shows every
column with full ids (the caller gives the console room). Used by ``spice plan``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from spicetrader.planner.constraints import ON_PREM_TIERS, Tier
from spicetrader.planner.models import JobKind, Plan, PlanOption
from spicetrader.planner.rent import MARKETPLACE_NOTE
from spicetrader.render.blocks import Block, Grid, GridColumn, Indented, Line
from spicetrader.render.plan_cells import Cells, fmt_hours, fmt_usd, short_id
from spicetrader.render.plan_picks import picks_blocks

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["DEFAULT_ROWS_PER_TIER", "fmt_hours", "fmt_usd", "plan_blocks", "render_plan"]

DEFAULT_ROWS_PER_TIER = 8
TIER_TITLES: dict[Tier, str] = {
    Tier.BUY: "Buy a server or workstation",
    Tier.MAC: "Buy a Mac",
    Tier.RENT: "Rent cloud GPUs",
    Tier.FREE: "Free and low-cost notebooks",
    Tier.REFERENCE: "Scale reference (not a choice)",
}
NUMERIC = {"cost", "net", "job", "purchase", "$/h", "$/month", "break-even", "time", "speed"}


@dataclass(frozen=True, slots=True)
class _Column:
    key: str
    head: str
    wide_only: bool = False


def _columns(plan: Plan, tier: Tier) -> list[_Column]:
    serving = plan.job.kind is JobKind.SERVING
    months = f"{plan.job.months:g} mo"
    speed = _Column("speed", "tok/s") if serving else _Column("time", "time")
    cols = [_Column("rank", "#", True), _Column("option", "option")]
    if tier in ON_PREM_TIERS:
        cols += [
            _Column("hardware", "hardware", True),
            _Column("precision", "prec", not serving),
            speed,
            _Column("request", "per request", True),
        ]
        cols += (
            [_Column("net", f"net, {months}")]
            if serving
            else [
                _Column("job", "job cost"),
                _Column("net", f"net, {months}"),
            ]
        )
        cols += [
            _Column("purchase", "purchase"),
            _Column("price_as_of", "priced"),
            _Column("$/month", "$/month", True),
            _Column("break-even", "break-even"),
            _Column("break_even_months", "pays off", True),
            _Column("versus", "versus rental", True),
        ]
    elif tier is Tier.RENT:
        cols += [
            _Column("hardware", "hardware"),
            _Column("precision", "prec"),
            speed,
            _Column("request", "per request", True),
            _Column("cost", f"cost, {months}" if serving else "cost"),
            _Column("$/h", "$/h"),
            _Column("as_of", "as of", True),
        ]
    elif tier is Tier.FREE:
        cols += [
            _Column("hardware", "hardware"),
            _Column("precision", "prec"),
            speed,
            _Column("cost", "cost"),
            _Column("sessions", "sessions"),
        ]
    else:
        cols += [
            _Column("hardware", "hardware"),
            _Column("precision", "prec"),
            speed,
            _Column("cost", "cost"),
        ]
    return [*cols, _Column("status", "status"), _Column("reason", "why not", True)]


# Dropped in this order when a table does not fit a console narrower than 100 columns
DROPPABLE = ("price_as_of", "precision", "hardware", "break-even", "$/h", "sessions", "job")
FIXED_WIDTH = {"rank", "price_as_of", "as_of", "status", "precision", "sessions"}


def _table(plan: Plan, tier: Tier, options: Sequence[PlanOption], wide: bool, width: int) -> Grid:
    """The tier's table; without ``wide``, columns are dropped (:data:`DROPPABLE`) until it
    fits ``width`` columns, so that no number is ever cut."""
    cols = [c for c in _columns(plan, tier) if wide or not c.wide_only]
    rows: list[dict[str, str]] = []
    for rank, opt in enumerate(options, start=1):
        cells = Cells(plan, opt, rank)
        values = {c.key: cells.get(c.key) for c in cols}
        if not wide:
            values["option"] = short_id(opt, tier)
        rows.append(values)
    for key in () if wide else DROPPABLE:
        if _least_width(cols, rows) <= width:
            break
        cols = [c for c in cols if c.key != key]
    return _build(tier, cols, rows, wide)


def _least_width(cols: Sequence[_Column], rows: Sequence[dict[str, str]]) -> int:
    """The narrowest the table can be without cutting a number: each column's minimum width
    (see :func:`_build`) and two characters of padding around it."""
    return sum(_min_width(c, rows, wide=False) + 2 for c in cols)


def _min_width(col: _Column, rows: Sequence[dict[str, str]], wide: bool) -> int:
    widest = max([len(col.head), *(len(r[col.key]) for r in rows)])
    fixed = col.key in NUMERIC or col.key in FIXED_WIDTH
    return widest if fixed or wide else min(widest, 12)


def _build(tier: Tier, cols: Sequence[_Column], rows: Sequence[dict[str, str]], wide: bool) -> Grid:
    columns = tuple(
        GridColumn(
            col.head,
            justify="right" if col.key in NUMERIC else "left",
            # ids and names may shrink (rich collapses wrapable columns first; an id has no
            # spaces, so it is cut with an ellipsis, not wrapped); numbers never do
            no_wrap=col.key in NUMERIC or col.key in FIXED_WIDTH,
            overflow="ellipsis" if col.key != "reason" else "fold",
            min_width=_min_width(col, rows, wide),
        )
        for col in cols
    )
    return Grid(TIER_TITLES[tier], columns, tuple(tuple(row[c.key] for c in cols) for row in rows))


def plan_blocks(
    plan: Plan,
    width: int,
    rows_per_tier: int | None = DEFAULT_ROWS_PER_TIER,
    prices: str | None = None,
    *,
    wide: bool = False,
    today: date | None = None,
) -> list[Block]:
    """The plan's human view, ``width`` columns wide: the picks, tables per tier, the
    assumptions.

    ``prices`` says where the prices come from and how old they are (the edge knows, e.g.
    "prices as of 2026-11-20 (6 days old, live snapshot)"); default: the offers' dates.
    ``today`` dates the purchase prices' age (the edge passes it; default: the newest offer).
    """
    when = today or _newest(plan)
    users = plan.workload.inference.batch if plan.workload.inference else 1
    who = f", {users} concurrent users" if plan.job.kind is JobKind.SERVING and users != 1 else ""
    out: list[Block] = [
        Line(
            (
                ("Plan", "bold"),
                (": ", None),
                (plan.workload.model_name, None),
                (", ", None),
                (plan.job.description, None),
                (who, None),
            )
        )
    ]
    out += picks_blocks(plan, when)
    for tier in TIER_TITLES:
        options = plan.by_tier(tier)
        if not options:
            continue
        shown = options if rows_per_tier is None else options[:rows_per_tier]
        out.append(_table(plan, tier, shown, wide, width))
        if len(shown) < len(options):
            more = len(options) - len(shown)
            out.append(Line(((f"  ... {more} more (--all or --json to see them)", None),)))
        if tier is Tier.RENT and any(MARKETPLACE_NOTE in o.notes for o in shown):
            out.append(Line((("  ~ marketplace offer: one host, reliability varies", None),)))
    legend = (
        "Owned options rank by net cost of ownership (cash out - value left), others by cost. "
        "(q) quantized to fit, (s) quantized for speed. --wide: every column; --json: all."
    )
    if plan.job.kind is JobKind.SERVING:
        legend = "tok/s: decode speed each user sees. " + legend
    out.append(Indented(legend, 2))
    where = (
        f"Prices as of {plan.prices_as_of}" if prices is None else prices[:1].upper() + prices[1:]
    )
    out.append(Line(((where, None), (". Assumptions:", None)), highlight=False))
    out += [Indented(f"- {line}", 2) for line in plan.assumptions]
    return out


def render_plan(
    plan: Plan,
    console: Console,
    rows_per_tier: int | None = DEFAULT_ROWS_PER_TIER,
    prices: str | None = None,
    *,
    wide: bool = False,
    today: date | None = None,
) -> None:
    """Print the plan with rich (:func:`plan_blocks` at the console's width)."""
    from spicetrader.render.blocks import print_rich

    blocks = plan_blocks(plan, console.width, rows_per_tier, prices, wide=wide, today=today)
    print_rich(blocks, console)


def _newest(plan: Plan) -> date:
    """The newest date among the plan's prices (the plan's own "today")."""
    newest = max((o.as_of[:7] for o in plan.options), default=None)
    if newest is None:
        return date.today()
    year, month = (int(p) for p in newest.split("-"))
    return date(year, month, 1)
