"""The layers stay honest: the pure core never pulls in the store stack or the terminal."""

import re
import subprocess
import sys
from pathlib import Path


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
        "complaintctl.views, complaintctl.domain.letters"
    )
    assert set() == loaded & {
        "sqlalchemy",
        "sqlmodel",
        "pydantic",
        "typer",
        "rich",
        "holidays",
        "jinja2",
        "weasyprint",
        "textual",
        "matplotlib",
    }


def _imports(path: Path) -> set[str]:
    import ast

    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_each_library_is_imported_only_by_its_own_layer() -> None:
    """ruff's banned-api fences whole folders; this holds the finer lines of STYLE.md."""
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "src" / "complaintctl"
    allowed = {
        "sqlalchemy": lambda p: p.parts[0] == "store",
        "sqlmodel": lambda p: p.parts[0] == "store",
        "typer": lambda p: p.parts[0] == "cli",
        "rich": lambda p: p.as_posix() == "cli/render.py" or p.parts[0] == "live",
        "textual": lambda p: p.parts[0] == "live",
        "holidays": lambda p: p.as_posix() == "store/calendar.py",
        "jinja2": lambda p: p.parts[0] == "letters",
        "weasyprint": lambda p: p.parts[0] == "letters",
        "matplotlib": lambda p: p.as_posix() == "charts.py",
    }
    trespasses = sorted(
        f"{path.relative_to(package)} imports {library}"
        for path in package.rglob("*.py")
        for library in _imports(path) & allowed.keys()
        if not allowed[library](path.relative_to(package))
    )
    assert [] == trespasses


def test_command_modules_keep_their_annotations_as_objects_for_typer() -> None:
    """Typer reads the annotations of each command it builds; as strings (the __future__
    import) each costs an eval (complaintctl.cli's docstring)."""
    cli = Path(__file__).resolve().parents[2] / "src" / "complaintctl" / "cli"
    sources = {path.name: path.read_text() for path in sorted(cli.glob("*.py"))}
    commands = [
        name
        for name, text in sources.items()
        if re.search(r"@\w+\.command\(|@step_command\(", text)
    ]
    assert len(commands) >= 7
    assert [] == [
        name for name in commands if "from __future__ import annotations" in sources[name]
    ]
