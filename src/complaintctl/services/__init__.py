"""One function per verb: (unit of work, *, inputs, by, at, now) -> a frozen view.

Each verb fetches, checks, calls the domain and commits once; a refusal writes nothing.
"""

from complaintctl.domain.intake import NewComplaint
from complaintctl.services.calendar import (
    Retroactive,
    add_closure,
    calendar_view,
    refresh_holidays,
    remove_closure,
)
from complaintctl.services.common import coverage_warnings
from complaintctl.services.intake import log_complaint
from complaintctl.services.reads import find_cases, overdue, queue, show_case, show_consumer
from complaintctl.services.restrictions import (
    lift,
    list_restrictions,
    restrict,
    update_consumer,
)
from complaintctl.services.restrictions import review as review_restriction
from complaintctl.services.staff import (
    add_staff,
    change_role,
    list_staff,
    reactivate_staff,
    remove_staff,
)
from complaintctl.services.steps import (
    Acknowledge,
    Assign,
    Close,
    Escalate,
    Extend,
    Final,
    Incident,
    Note,
    Outcome,
    Refer,
    Remedies,
    Reopen,
    Respond,
    StepResult,
    acknowledge,
    assign,
    close,
    escalate,
    extend,
    final_response,
    note,
    record_incident,
    record_outcome,
    refer,
    reopen,
    respond,
    take_steps,
)
from complaintctl.views import CaseView

__all__ = [
    "Acknowledge",
    "Assign",
    "Close",
    "Escalate",
    "Extend",
    "Final",
    "Incident",
    "Note",
    "Outcome",
    "Refer",
    "Reopen",
    "Respond",
    "StepResult",
    "take_steps",
    "CaseView",
    "NewComplaint",
    "Retroactive",
    "Remedies",
    "acknowledge",
    "add_closure",
    "add_staff",
    "assign",
    "calendar_view",
    "change_role",
    "close",
    "coverage_warnings",
    "escalate",
    "extend",
    "final_response",
    "find_cases",
    "lift",
    "list_restrictions",
    "list_staff",
    "log_complaint",
    "note",
    "overdue",
    "queue",
    "reactivate_staff",
    "record_incident",
    "record_outcome",
    "refer",
    "refresh_holidays",
    "remove_closure",
    "remove_staff",
    "reopen",
    "respond",
    "restrict",
    "review_restriction",
    "show_case",
    "show_consumer",
    "update_consumer",
]
