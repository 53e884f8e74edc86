"""The organisation's defaults: where the clock runs and how long each step may take.

An [ours] rule in MODEL.md is a default an organisation must be able to change; these values are
the defaults the store starts with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Only as a type: the command line reads the targets at start-up, without the calendar.
    from complaintctl.domain.calendar import WorkingCalendar

DEFAULT_ZONE = "Europe/London"
# Monday to Friday, these hours (domain.calendar.office_week).
DEFAULT_HOURS = "09:00-17:00"

# England and Wales share their bank holidays; Scotland's and Northern Ireland's are not ours.
HOLIDAY_COUNTRY = "GB"
HOLIDAY_SUBDIVISION = "ENG"
# How many years either side of the store's creation its bank holidays are written for.
HOLIDAY_YEARS_BACK = 5
HOLIDAY_YEARS_AHEAD = 5


# An action's `--within`: an amount of working time, in minutes, counted by `due_within`.
WITHIN = "working-minutes"
WORKING_UNITS = frozenset({"working-hours", "working-days", WITHIN})


@dataclass(frozen=True)
class Target:
    """A deadline rule: an amount of working time after a starting event."""

    amount: int
    unit: str  # "working-hours", "working-days" or "months"
    after: str  # the starting event, in words

    def describe(self) -> str:
        return f"{self.amount} {self.unit.replace('-', ' ')} after {self.after}"


# [page] "acknowledgement within 24 working hours" of receipt.
ACKNOWLEDGE = Target(24, "working-hours", "receipt")
# [ours] the Leader's "ideally within 24 working hours", read as the response being due then.
RESPOND = Target(24, "working-hours", "acknowledgement")
# [ours, after the Housing Ombudsman code's stage 2] the final response.
FINAL = Target(20, "working-days", "escalation")
# [sibling: the Assessor's terms of reference] the consumer may refer within 3 months.
REFERRAL_WINDOW = Target(3, "months", "the final response")
# [std: PHSO/LGO guidance] a restriction is reviewed, typically after 6 months.
RESTRICTION_REVIEW = Target(6, "months", "the restriction was decided")
# [ours] an action (a remedy owed, an improvement) opened without a date of its own, as the
# goodwill payment's "pay" action is: due 10 working days after the response offering it.
ACTION = Target(10, "working-days", "the action was opened")
# [ours] what went wrong, as a response records it: the list a store starts with (a senior
# adds to it with `cause add`). Each: its name, and its words.
DEFAULT_CAUSES: tuple[tuple[str, str], ...] = (
    ("delay", "a delay: something took longer than it should"),
    ("poor-communication", "poor communication: not kept updated, or not explained properly"),
    ("process-not-followed", "a process not followed"),
    ("wrong-information", "wrong information given"),
    ("staff-conduct", "the conduct of a member of staff"),
    ("system-or-record-error", "a system or record error"),
    ("other", "anything else"),
)
# [std: UK GDPR; the ICO] a subject-access request is answered within one calendar month of
# receipt (domain/calendar.subject_access_due), extendable once by up to two further months.
SUBJECT_ACCESS = Target(1, "months", "receipt of the request")
SUBJECT_ACCESS_MAX_EXTENSION = 2
# [sibling] a service issue more than 6 months before the complaint is out of time.
OUT_OF_TIME_MONTHS = 6

# How close to its deadline a case turns amber in the queue [ours].
WARN_WITHIN = "4h"

# Told in every final response [page]: how to go to the Independent Assessor.
HOW_TO_REFER = (
    "If you are not satisfied with this final response you can ask the Independent Assessor "
    "to review how your complaint was handled (not the decision on your dispute). Ask us to "
    "refer it within 3 months of this response."
)


def holiday_years(today: date) -> range:
    return range(today.year - HOLIDAY_YEARS_BACK, today.year + HOLIDAY_YEARS_AHEAD + 1)


def due_after(target: Target, calendar: WorkingCalendar, start: datetime) -> datetime:
    """When a step started at `start` is due under `target`."""
    if target.unit == "working-hours":
        return calendar.add_working_hours(start, target.amount)
    if target.unit == "working-days":
        return calendar.add_working_days(start, target.amount)
    if target.unit == "months":
        return calendar.add_months(start, target.amount)
    if target.unit == WITHIN:
        return due_within(calendar, start, timedelta(minutes=target.amount))
    raise ValueError(f"unknown deadline unit {target.unit!r}")


def due_within(calendar: WorkingCalendar, start: datetime, amount: timedelta) -> datetime:
    """When something started at `start` is due `amount` of working time on (an action's
    `--within`): its whole working days count as a day's deadline does (the close of day N,
    MODEL.md "Working time"), and any time left over is working time from there, so a longer
    time is never due sooner (`1d1m` is a minute into the day after `1d`'s close). A `d` is
    the longest working day, so what is left never runs past the close of the next working
    day (`within_capped`): on a shorter day, `7h` after Thursday's 16:00 would otherwise fall
    after `8h`, which is `1d`, the close of Friday."""
    return _within(calendar, start, amount)[0]


def within_capped(calendar: WorkingCalendar, start: datetime, amount: timedelta) -> bool:
    """Whether `due_within` puts `amount` at the close of the working day after its whole days
    because what is left would run past it (a day shorter than the longest)."""
    return _within(calendar, start, amount)[1]


def _within(calendar: WorkingCalendar, start: datetime, amount: timedelta) -> tuple[datetime, bool]:
    """`due_within`'s due, and whether the next working day's close capped it."""
    days, rest = divmod(amount, calendar.working_day())
    due = calendar.add_working_days(start, days) if days else start
    if not rest:
        return due, False
    uncapped = calendar.add_working_time(due, rest)
    cap = calendar.add_working_days(start, days + 1)
    return min(uncapped, cap), uncapped > cap


# An action's `--within` in the words its clock's rule keeps: the duration as typed, which a
# change to the opening hours counts again (a `d` is then the new calendar's working day).
_WITHIN_RULE = re.compile(r"within (?P<within>.+) \(working time\), set by ")


def within_rule(within: str, by: str) -> str:
    """The rule of an action's clock due `--within` working time: `within 3d (working
    time), set by olu`."""
    return f"within {within.strip()} (working time), set by {by}"


def typed_within(rule: str) -> str | None:
    """The `--within` an action's clock rule (`within_rule`) was given, or None."""
    found = _WITHIN_RULE.match(rule)
    return found["within"] if found else None


def within_on(calendar: WorkingCalendar, rule: str, minutes: int) -> int:
    """The working minutes of an action's `--within`, read again from its clock's `rule` on
    `calendar` (a `d` its working day, its longest: what a store made with these opening hours
    counts); `minutes`, as counted when it was opened, where the rule names none."""
    # Here, not at the top: the command line reads this module at start-up (--help).
    from complaintctl.domain.instants import InstantError, parse_working_duration

    within = typed_within(rule)
    if within is None:
        return minutes
    try:
        amount = parse_working_duration(within, calendar.working_day(), typed=False)
    except InstantError:  # more than the longest duration typed: counted as it was
        return minutes
    return amount // timedelta(minutes=1) or minutes
