"""The organisation's defaults: where the clock runs and how long each step may take.

An [ours] rule in MODEL.md is a default an organisation must be able to change; these values are
the defaults the store starts with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from complaintctl.domain.calendar import Week, WorkingCalendar, office_week

DEFAULT_ZONE = "Europe/London"
DEFAULT_WEEK: Week = office_week("09:00-17:00")

# England and Wales share their bank holidays; Scotland's and Northern Ireland's are not ours.
HOLIDAY_COUNTRY = "GB"
HOLIDAY_SUBDIVISION = "ENG"
# How many years either side of the store's creation its bank holidays are written for.
HOLIDAY_YEARS_BACK = 5
HOLIDAY_YEARS_AHEAD = 5


@dataclass(frozen=True)
class Target:
    """A deadline rule: an amount of working time after a starting event."""

    amount: int
    unit: str  # "working-hours" or "working-days"
    after: str  # the starting event, in words

    def describe(self) -> str:
        return f"{self.amount} {self.unit.replace('-', ' ')} after {self.after}"


# [page] "acknowledgement within 24 working hours" of receipt.
ACKNOWLEDGE = Target(24, "working-hours", "receipt")


def holiday_years(today: date) -> range:
    return range(today.year - HOLIDAY_YEARS_BACK, today.year + HOLIDAY_YEARS_AHEAD + 1)


def due_after(target: Target, calendar: WorkingCalendar, start: datetime) -> datetime:
    """When a step started at `start` is due under `target`."""
    if target.unit == "working-hours":
        return calendar.add_working_hours(start, target.amount)
    if target.unit == "working-days":
        return calendar.add_working_days(start, target.amount)
    raise ValueError(f"unknown deadline unit {target.unit!r}")
