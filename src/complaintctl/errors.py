"""Known errors, each with the exit code scripts can rely on (README, "Exit status").

A known error is shown as one line, `Error: <message>`, on stderr; anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations

# Exit codes. 0 is success, 1 an unexpected internal error, 2 a usage error (click's own).
EXIT_USAGE = 2
EXIT_OVERDUE = 3
EXIT_NOT_FOUND = 4
EXIT_NOT_ALLOWED = 5
EXIT_NOT_PERMITTED = 6
EXIT_RESTRICTED = 7
EXIT_STORE = 8
EXIT_BULK_REFUSED = 9  # some cases refused the action, so none took it
EXIT_BULK_PARTIAL = 10  # --continue-on-error: some cases took the action, some refused
EXIT_CHANGED = 11  # the case moved on from the version the caller read
EXIT_OUTPUT = 12  # a file or the output could not be written: disk full, too large, no rights
EXIT_DECLINED = 13  # a question at a terminal (close's) was answered no: nothing written
# `db verify`: the history is not what was written, or a case is not where its history says.
EXIT_NOT_INTACT = 14


class ComplaintError(Exception):
    """Base class: an error the user can act on, shown without a traceback."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(ComplaintError):
    """A value the command cannot accept: a malformed email or date, a future --at."""

    exit_code = EXIT_USAGE


class NotFound(ComplaintError):
    """No case with that reference, or no such record (a closure day, say)."""

    exit_code = EXIT_NOT_FOUND


class ActionNotAllowed(ComplaintError):
    """The case's stage does not allow this action now (e.g. acknowledging twice)."""

    exit_code = EXIT_NOT_ALLOWED


class NotPermitted(ComplaintError):
    """The acting person is not active staff, or their role does not allow the action."""

    exit_code = EXIT_NOT_PERMITTED


class NotStaff(NotPermitted):
    """The acting person (`name`) is no active member of staff of the store."""

    def __init__(self, message: str, name: str) -> None:
        super().__init__(message)
        self.name = name


class ConsumerRestricted(ComplaintError):
    """The consumer is restricted from the formal procedure (or from this matter)."""

    exit_code = EXIT_RESTRICTED


class CaseChanged(ComplaintError):
    """Someone stepped in on the case after the caller read it (its version moved on)."""

    exit_code = EXIT_CHANGED


class StoreUnavailable(ComplaintError):
    """The store cannot be opened, read or written: missing rights, locked, not a database."""

    exit_code = EXIT_STORE


class StoreDamaged(StoreUnavailable):
    """The store's contents are not what was written (a damaged file): restore a backup."""

    def __init__(self, message: str, what: str) -> None:
        super().__init__(message)
        self.what = what  # what is wrong, in the driver's words


class OutputFailed(ComplaintError):
    """A file or the output could not be written (disk full, file too large, no rights, a
    name too long); nothing was left half-written."""

    exit_code = EXIT_OUTPUT


class HistoryNotIntact(ComplaintError):
    """`db verify` found an entry whose seal does not hold, a chain that does not end where
    its head says, or a case whose stage its history does not lead to."""

    exit_code = EXIT_NOT_INTACT


class ExportParted(ComplaintError):
    """A known error that parts an export from its record: putting its file in place after
    it was recorded. Said, so that it is not taken for an export not made; the error's own
    exit code."""

    FILE = "the export is recorded in the history, but its file was not written"
    OUTPUT = (
        "the export is recorded in the history, but its rows did not all go out: run it again "
        "for them"
    )

    def __init__(self, err: ComplaintError, said: str) -> None:
        super().__init__(f"{err.message}; {said}")
        self.exit_code = err.exit_code


class SentNotRecorded(ComplaintError):
    """A known error saving the issue of a letter already written out on stdout (a commit
    that failed): the letter is out and not on record, and the error says so and how to
    record it, so that it is not taken for a letter not sent. The error's own exit code."""

    def __init__(self, err: ComplaintError, said: str) -> None:
        super().__init__(f"{err.message}; {said}")
        self.exit_code = err.exit_code


class RecordedThenFailed(ComplaintError):
    """A known error after the change was saved (the view read after the commit): the change
    is kept and said to be, so that a script or a person does not take it again."""

    KEPT = "what the command recorded is kept (history shows it): do not run it again"

    def __init__(self, err: ComplaintError) -> None:
        super().__init__(f"{err.message}; {self.KEPT}")
        self.exit_code = err.exit_code
