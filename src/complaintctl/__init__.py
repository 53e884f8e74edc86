"""complaintctl: case management for an ombudsman's service complaints procedure."""

import sys

__version__ = "0.2.0"


def main() -> None:
    """The console script. Loading the command line takes a moment (typer, rich): an
    interrupt meanwhile is an abort like any other, said in one line, never a traceback."""
    try:
        from complaintctl.cli import main as run
    except KeyboardInterrupt:
        if sys.stderr is not None:  # started with stderr closed (2>&-): nowhere to say it
            sys.stderr.write("Error: aborted\n")
        sys.exit(130)
    run()
