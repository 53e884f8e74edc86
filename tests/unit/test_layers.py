"""The layers stay honest: the pure core never pulls in the store stack or the terminal."""

import subprocess
import sys


def _modules_loaded_by(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys; print('\\n'.join(sys.modules))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {name.split(".")[0] for name in out.split()}


def test_the_domain_imports_no_database_terminal_or_cli_library() -> None:
    loaded = _modules_loaded_by(
        "import complaintctl.domain.calendar, complaintctl.domain.procedure, "
        "complaintctl.domain.policy, complaintctl.domain.instants, complaintctl.services, "
        "complaintctl.views"
    )
    assert set() == loaded & {"sqlalchemy", "sqlmodel", "pydantic", "typer", "rich", "holidays"}
