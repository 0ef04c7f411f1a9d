"""The text of one plan table cell: money, hours, speeds, ids shortened for 100 columns."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from spicetrader.planner.constraints import Tier
from spicetrader.planner.models import OptionStatus, Plan, PlanOption
from spicetrader.planner.rent import MARKETPLACE_NOTE

if TYPE_CHECKING:
    from rich.padding import Padding

__all__ = ["ID_WIDTH", "Cells", "fmt_hours", "fmt_usd", "indented", "short_id"]

ID_WIDTH = 26  # option ids longer than this are shortened with an ellipsis in the default view
_STATUS_WORDS: dict[OptionStatus, str] = {
    OptionStatus.OK: "ok",
    OptionStatus.DOES_NOT_FIT: "no fit",
    OptionStatus.TRY_ONLY: "try only",
    OptionStatus.TOO_SLOW: "too slow",
    OptionStatus.MISSES_DEADLINE: "late",
    OptionStatus.IMPRACTICAL: "impractical",
    OptionStatus.OVER_BUDGET: "over budget",
}


def fmt_usd(value: float | None) -> str:
    if value is None:
        return "-"
    return f"${value:,.0f}" if abs(value) >= 100 else f"${value:,.2f}"


def fmt_hours(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 1:
        return f"{value * 60:.1f} min"
    if value < 48:
        return f"{value:,.1f} h"
    return f"{value / 24:,.1f} d"


def indented(text: str, indent: int) -> Padding:
    """Plain ``text`` (no markup) wrapped at word boundaries, indented by ``indent``."""
    from rich.padding import Padding
    from rich.text import Text

    return Padding(Text(text), (0, 0, 0, indent), expand=False)


def short_id(option: PlanOption, tier: Tier) -> str:
    """The id without its tier prefix, cut to :data:`ID_WIDTH` with an ellipsis; a marketplace
    offer is marked ``~``."""
    text = option.id.removeprefix(f"{tier.value}:")
    mark = "~" if MARKETPLACE_NOTE in option.notes else ""
    width = ID_WIDTH - len(mark)
    if len(text) > width:
        text = text[: width - 1] + "…"
    return text + mark


class Cells:
    """The cells of one option's row (every column; the table picks the ones it shows)."""

    def __init__(self, plan: Plan, option: PlanOption, rank: int) -> None:
        self.plan, self.option, self.rank = plan, option, rank

    def get(self, key: str) -> str:
        """The cell of column ``key`` (``"$/h"`` -> ``_usd_per_h``, ``"break-even"`` ->
        ``_break_even``)."""
        cell: Callable[[], str] = getattr(
            self, "_" + key.replace("$/", "usd_per_").replace("-", "_")
        )
        return cell()

    def _rank(self) -> str:
        return str(self.rank)

    def _option(self) -> str:
        return self.option.id

    def _hardware(self) -> str:
        opt = self.option
        memory = f" {opt.memory_gb:g}GB" if opt.memory_gb is not None else ""
        return f"{opt.devices}x {opt.hardware}{memory}"

    def _precision(self) -> str:
        opt = self.option
        mark = " (s)" if opt.quantized_for_speed else " (q)" if opt.quantized else ""
        return opt.precision + mark

    def _speed(self) -> str:
        speed = self.option.per_user_tokens_per_s
        return "-" if speed is None else f"{speed:,.1f}"

    def _request(self) -> str:
        s = self.option.request_s
        return "-" if s is None else f"{s:,.1f} s"

    def _time(self) -> str:
        opt = self.option
        if opt.calendar_hours is not None and opt.calendar_hours > (opt.hours or 0.0) * 1.01:
            return f"{fmt_hours(opt.calendar_hours)} cal"
        return fmt_hours(opt.hours)

    def _cost(self) -> str:
        return fmt_usd(self.option.cost_usd)

    def _job(self) -> str:
        return fmt_usd(self.option.cost_usd)

    def _net(self) -> str:
        return fmt_usd(self.option.rank_cost_usd)

    def _purchase(self) -> str:
        own = self.option.ownership
        return fmt_usd(own.purchase_usd if own else None)

    def _price_as_of(self) -> str:
        return self.option.as_of[:7]

    def _as_of(self) -> str:
        return self.option.as_of[:7]

    def _usd_per_month(self) -> str:
        own = self.option.ownership
        return fmt_usd(own.usd_per_month if own else None)

    def _usd_per_h(self) -> str:
        return fmt_usd(self.option.price_usd_per_hour)

    def _never_or(self, value: float | None, text: str) -> str:
        """A break-even cell: ``text`` (formatted with ``value``), "never", or "-" when the
        machine was not bought (nothing to break even)."""
        own = self.option.ownership
        if own is None or own.purchase_usd <= 0:
            return "-"
        return "never" if value is None else text.format(value)

    def _break_even(self) -> str:
        own = self.option.ownership
        hours = own.break_even_hours_per_month if own else None
        return self._never_or(hours, "{:,.0f} h/mo")

    def _break_even_months(self) -> str:
        own = self.option.ownership
        return self._never_or(own.break_even_months if own else None, "{:,.1f} mo")

    def _versus(self) -> str:
        own = self.option.ownership
        return (own.versus_rent_option or "-") if own else "-"

    def _sessions(self) -> str:
        use = self.option.free_use
        if use is None:
            return "-"
        text = str(use.sessions)
        if use.weeks is not None and use.weeks > 1 and not use.within_quota:
            text += f" / {use.weeks} wk"
        elif use.months_billed > 1 and use.monthly_hours_cap is not None:
            text += f" / {use.months_billed} mo"
        return text

    def _status(self) -> str:
        return _STATUS_WORDS[self.option.status]

    def _reason(self) -> str:
        return self.option.status_reason or ""
