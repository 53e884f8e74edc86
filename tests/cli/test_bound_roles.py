"""Who is acting, end to end: members of staff bound to PostgreSQL login roles (real roles on
the test server, granted exactly as the README says) and, on SQLite, to operating-system
logins (the login as the environment gives it, as the history's `login` is read)."""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from freezegun import freeze_time
from sqlalchemy import create_engine, make_url, text
from typer.testing import Result

from complaintctl.store.db import open_engine, resolve_url
from tests.cli.conftest import Run
from tests.cli.journey import ack, assign, escalate, final, log_case, ok, respond, step
from tests.conftest import dump_store, needs_postgres_driver, postgres_only, sqlite_only

NOW = "2026-12-01T10:00:00+00:00"
README = Path(__file__).parents[2] / "README.md"


def error_line(result: Result) -> str:
    """The one line a refusal prints, with nothing on stdout."""
    lines = result.stderr.splitlines()
    assert (1, "") == (len(lines), result.stdout), result.stderr
    return lines[0]


def history_actors(run: Run, ref: str) -> list[tuple[str, str]]:
    entries = json.loads(ok(run, "history", ref, "--json").stdout)["history"]
    return [(e["action"], e["by"]) for e in entries]


def readme_grants() -> str:
    """The README's least-privilege grants, as written there."""
    found = re.search(
        r"<!-- sql: least-privilege grants -->\n```sql\n(.*?)```", README.read_text(), re.S
    )
    assert found is not None
    return found.group(1)


# -- PostgreSQL: real login roles -----------------------------------------------------------

RoleUrl = Callable[[str | None], tuple[str, str]]


@pytest.fixture
def login_role(store_url: str) -> Iterator[RoleUrl]:
    """`login_role(None)`: a new login role (`login_role(NAME)`: one whose name begins NAME,
    made quoted, capitals and all) in a group granted as the README's SQL grants, on
    the test's own schema, and the store's URL connecting as it; dropped afterwards."""
    admin = create_engine(resolve_url(store_url), isolation_level="AUTOCOMMIT")
    tag = uuid.uuid4().hex[:10]
    group, remover = f"g_{tag}", f"rm_{tag}"
    made: list[str] = []
    with admin.connect() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        grants = readme_grants().replace("complaintctl_staff", group)
        grants = grants.replace("complaintctl_remover", remover)
        grants = re.sub(r"SCHEMA public\b", f"SCHEMA {schema}", grants)
        for statement in re.sub(r"--[^\n]*", "", grants).split(";"):
            if statement.strip():
                connection.execute(text(statement))

    def make(name: str | None = None) -> tuple[str, str]:
        """A role named `name` (quoted, as written, and made unique) or a plain one."""
        role = f"{name} {tag}" if name else f"r_{tag}_{len(made)}"
        quoted = '"' + role.replace('"', '""') + '"'
        with admin.connect() as connection:
            connection.execute(text(f"CREATE ROLE {quoted} LOGIN IN ROLE {group}"))
        made.append(role)
        url = make_url(resolve_url(store_url)).set(username=role)
        return role, url.render_as_string(hide_password=False)

    yield make
    with admin.connect() as connection:
        for role in [*made, remover, group]:
            quoted = '"' + role.replace('"', '""') + '"'
            connection.execute(text(f"DROP OWNED BY {quoted}"))
            connection.execute(text(f"DROP ROLE {quoted}"))
    admin.dispose()


@pytest.fixture
def no_actor_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COMPLAINTCTL_USER")


@postgres_only
@needs_postgres_driver
@freeze_time(NOW)
def test_a_bound_role_acts_as_its_member_and_cannot_act_as_a_senior_by_typing_their_name(
    run: Run, login_role: RoleUrl, store_url: str, no_actor_named: None
) -> None:
    role, url = login_role(None)
    ok(run, "--as", "sam.senior", "staff", "bind", "officer.one", "--db-role", role)

    ref = log_case(run, "--db", url, at="2026-12-01T09:00:00+00:00", by="officer.one")
    with freeze_time("2026-12-01T09:30:00+00:00"):
        ok(run, "--db", url, "note", ref, "--text", "Called back", "--at", "2026-12-01T09:30")
    before = dump_store(store_url)
    refused = run("--db", url, "--as", "sam.senior", "staff", "add", "mal.ory", "--name",
                  "Mal Ory", "--role", "senior-leader")  # fmt: skip
    refused_env = run("--db", url, "staff", "role", "officer.one", "--role", "senior-leader")

    assert [("log", "officer.one"), ("note", "officer.one")] == history_actors(run, ref)
    assert (6, 6) == (refused.exit_code, refused_env.exit_code)
    assert (
        f"Error: database role {role} is bound to officer.one: it acts as officer.one only, "
        "never as sam.senior"
    ) == error_line(refused)
    assert "officer.one (officer) may not add, change or remove staff" in error_line(refused_env)
    assert before == dump_store(store_url)


@postgres_only
@needs_postgres_driver
@freeze_time(NOW)
def test_an_unbound_role_acts_only_as_unbound_members_and_not_at_all_once_bound_roles_are_required(
    run: Run, login_role: RoleUrl, store_url: str, no_actor_named: None
) -> None:
    officer_role, _ = login_role(None)
    senior_role, senior_url = login_role(None)
    _, unbound_url = login_role(None)
    ok(run, "--as", "sam.senior", "staff", "bind", "officer.one", "--db-role", officer_role)
    ok(run, "--as", "sam.senior", "staff", "bind", "sam.senior", "--db-role", senior_role)

    as_unbound_member = log_case(run, "--db", unbound_url, at=NOW, by="officer.two")
    as_bound_member = run("--db", unbound_url, "--as", "officer.one", "note", "SC-2026-000001",
                          "--text", "Called")  # fmt: skip
    required = ok(run, "--db", senior_url, "db", "require-bound-roles")
    before = dump_store(store_url)
    refused = run("--db", unbound_url, "--as", "officer.two", "note", as_unbound_member,
                  "--text", "Called")  # fmt: skip
    still_reads = run("--db", unbound_url, "queue", "--json")

    assert 6 == as_bound_member.exit_code
    assert (
        f"officer.one is bound to database role {officer_role}: only it acts as them"
        in error_line(as_bound_member)
    )
    assert "Every database role that acts must be bound to a member of staff\n" == required.stdout
    assert 6 == refused.exit_code
    assert "is bound to no member of staff, and this store requires" in error_line(refused)
    assert before == dump_store(store_url)
    assert 0 == still_reads.exit_code
    ok(run, "--db", senior_url, "db", "require-bound-roles", "--off")
    log_case(run, "--db", unbound_url, at=NOW, by="officer.two")


@postgres_only
@needs_postgres_driver
@freeze_time(NOW)
def test_a_role_made_with_a_quoted_name_is_bound_as_the_database_spells_it(
    run: Run, login_role: RoleUrl, store_url: str, no_actor_named: None
) -> None:
    officer_role, officer_url = login_role("Olu O'Brien-Officer")
    senior_role, senior_url = login_role("Sam_Senior")
    ok(run, "--as", "sam.senior", "staff", "bind", "officer.one", "--db-role", officer_role)
    ok(run, "--as", "sam.senior", "staff", "bind", "sam.senior", "--db-role", senior_role)
    ok(run, "--db", senior_url, "db", "require-bound-roles")

    ref = log_case(run, "--db", officer_url, at=NOW, by="officer.one")
    listed = json.loads(ok(run, "staff", "list", "--json").stdout)

    assert [("log", "officer.one")] == history_actors(run, ref)
    assert {"officer.one": officer_role, "sam.senior": senior_role} == {
        member["username"]: member["db_role"] for member in listed if member["db_role"]
    }


@postgres_only
@needs_postgres_driver
def test_the_readme_grants_are_enough_for_the_procedure_the_calendar_staff_restrictions_and_export(
    run: Run, login_role: RoleUrl
) -> None:
    _, url = login_role(None)

    def as_role(*args: str, input: str | bytes | None = None) -> Result:
        return run("--db", url, *args, input=input)

    ref = log_case(as_role, at="2026-12-01T09:00:00+00:00")
    ack(as_role, ref, at="2026-12-01T10:00:00+00:00")
    assign(as_role, ref, at="2026-12-01T11:00:00+00:00")
    respond(as_role, ref, at="2026-12-02T11:00:00+00:00")
    escalate(as_role, ref, at="2026-12-03T11:00:00+00:00")
    final(as_role, ref, at="2026-12-04T11:00:00+00:00")
    senior = ("--as", "sam.senior")
    at = "2026-12-04T12:00:00+00:00"
    step(as_role, at, *senior, "calendar", "close", "2026-12-24", "--reason", "Office move")
    step(as_role, at, *senior, "calendar", "reopen", "2026-12-24")
    step(as_role, at, *senior, "calendar", "holidays", "--through", "2029")
    step(as_role, at, *senior, "staff", "add", "nia.new", "--name", "Nia New", "--role",
         "officer", "--db-role", "nia_new")  # fmt: skip
    step(as_role, at, *senior, "staff", "role", "nia.new", "--role", "leader", "--area", "Energy")
    step(as_role, at, *senior, "staff", "unbind", "nia.new")
    step(as_role, at, *senior, "staff", "remove", "nia.new")
    step(as_role, at, *senior, "restrict", "add", "--email", "ann@example.com", "--scope",
         "procedure", "--reason", "Abusive calls")  # fmt: skip
    step(as_role, at, "consumer", "update", "--email", "ann@example.com", "--prefers", "post")
    with freeze_time(at):
        ok(as_role, "queue", "--mine")
        ok(as_role, "find", "Ann Smith")
        ok(as_role, "export")  # recorded in the history: the group may add to it
        assert "intact" in ok(as_role, "db", "verify").stdout


@postgres_only
@needs_postgres_driver
@freeze_time(NOW)
def test_queue_mine_is_refused_for_a_member_the_role_may_not_act_as(
    run: Run, login_role: RoleUrl, store_url: str, no_actor_named: None
) -> None:
    officer_role, officer_url = login_role(None)
    senior_role, senior_url = login_role(None)
    _, unbound_url = login_role(None)
    ok(run, "--as", "sam.senior", "staff", "bind", "officer.one", "--db-role", officer_role)
    ok(run, "--as", "sam.senior", "staff", "bind", "sam.senior", "--db-role", senior_role)

    as_senior = run("--db", officer_url, "--as", "sam.senior", "queue", "--mine")
    as_bound = run("--db", unbound_url, "--as", "officer.one", "queue", "--mine")
    exported = run("--db", officer_url, "--as", "sam.senior", "export", "--mine")
    ok(run, "--db", senior_url, "db", "require-bound-roles")
    unbound = run("--db", unbound_url, "--as", "officer.two", "queue", "--mine")
    still_reads = run("--db", unbound_url, "queue", "--json")

    assert (6, 6, 6, 6) == tuple(r.exit_code for r in (as_senior, as_bound, exported, unbound))
    assert (
        f"Error: database role {officer_role} is bound to officer.one: it acts as officer.one "
        "only, never as sam.senior"
    ) == error_line(as_senior)
    assert "officer.one is bound to database role" in error_line(as_bound)
    assert "requires every role that acts to be bound" in error_line(unbound)
    assert 0 == still_reads.exit_code
    assert "[]\n" == ok(run, "--db", officer_url, "queue", "--mine", "--json").stdout


@postgres_only
@needs_postgres_driver
@freeze_time(NOW)
def test_a_role_without_the_grant_to_remove_personal_data_is_told_so_and_writes_nothing(
    run: Run, login_role: RoleUrl, store_url: str, no_actor_named: None
) -> None:
    senior_role, senior_url = login_role(None)  # in the staff group, not the removers'
    ok(run, "--as", "sam.senior", "staff", "bind", "sam.senior", "--db-role", senior_role)
    ref = log_case(run, at="2026-12-01T09:00:00+00:00")
    step(run, "2026-12-01T09:30:00+00:00", "--as", "officer.one", "close", ref, "--reason",
         "withdrawn", "--yes")  # fmt: skip
    before = dump_store(store_url)

    refused = run("--db", senior_url, "consumer", "erase", "--consumer-id", "1", "--reason",
                  "Asked to be forgotten")  # fmt: skip

    assert 8 == refused.exit_code
    line = error_line(refused)
    assert "failed" not in line
    assert "permission denied for table" in line
    assert f"database role {senior_role} may not do this" in line
    assert "the store's owner grants it" in line
    assert line.endswith("(removing personal data needs the removers' group)")
    assert before == dump_store(store_url)


@postgres_only
@needs_postgres_driver
def test_a_role_that_may_only_read_may_not_export_and_is_left_no_file(
    run: Run, store_url: str, tmp_path: Path
) -> None:
    """README, `export`: an export is recorded, so it needs a role that may add to the
    history; one granted SELECT alone is refused as it records, and its file is not placed."""
    admin = create_engine(resolve_url(store_url), isolation_level="AUTOCOMMIT")
    reader = f"ro_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar_one()
            connection.execute(text(f"CREATE ROLE {reader} LOGIN"))
            connection.execute(text(f"GRANT USAGE ON SCHEMA {schema} TO {reader}"))
            connection.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {reader}"))
        url = make_url(resolve_url(store_url)).set(username=reader)
        before = dump_store(store_url)
        out = tmp_path / "cases.csv"

        refused = run("--db", url.render_as_string(hide_password=False), "export", "-o", str(out))

        assert 8 == refused.exit_code, refused.stderr
        assert f"database role {reader} may not do this" in error_line(refused)
        assert [] == list(tmp_path.glob("*cases.csv*"))
        assert before == dump_store(store_url)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP OWNED BY {reader}"))
            connection.execute(text(f"DROP ROLE {reader}"))
        admin.dispose()


@postgres_only
@needs_postgres_driver
def test_an_officer_role_making_a_store_is_told_the_owner_makes_it_and_nothing_is_made(
    run: Run, login_role: RoleUrl, new_store: Callable[[str], str]
) -> None:
    # A fresh schema the role may use but not create in, as PostgreSQL 15+'s public schema is.
    officer_role, _ = login_role(None)
    fresh = new_store("fresh")
    admin = create_engine(resolve_url(fresh), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        connection.execute(text(f'GRANT USAGE ON SCHEMA {schema} TO "{officer_role}"'))
    officer_url = make_url(resolve_url(fresh)).set(username=officer_role)

    refused = run("--db", officer_url.render_as_string(hide_password=False), "db", "init")

    assert 8 == refused.exit_code
    line = error_line(refused)
    assert f"database role {officer_role} may not make the store's tables" in line
    assert f"(no CREATE on schema {schema})" in line
    assert "made by the role that owns the database, or one granted CREATE on its" in line
    assert "least-privilege" not in line
    with admin.connect() as connection:
        tables = text("SELECT tablename FROM pg_tables WHERE schemaname = :s")
        assert [] == connection.execute(tables, {"s": schema}).all()
    admin.dispose()


# -- SQLite: operating-system logins --------------------------------------------------------


@sqlite_only
@freeze_time(NOW)
def test_an_upgrade_naming_a_member_its_login_may_not_act_as_is_refused_saying_to_name_no_one(
    run: Run, monkeypatch: pytest.MonkeyPatch, store_url: str, no_actor_named: None
) -> None:
    """`db upgrade` records who acts as every command does; a member the login may not act as
    (COMPLAINTCTL_USER set for the day's work) is refused with the upgrade's own way out, and
    named by no one it is recorded as the member the login is bound to."""
    from tests.store.test_schema import migrate

    senior = ("--as", "sam.senior")
    ok(run, *senior, "staff", "bind", "officer.one", "--os-login", "olu")
    ok(run, *senior, "db", "bind-logins")
    engine = open_engine(resolve_url(store_url))
    try:
        migrate(engine, "0010", down=True)
    finally:
        engine.dispose()
    monkeypatch.setenv("LOGNAME", "olu")
    before = dump_store(store_url)

    refused = run(*senior, "db", "upgrade")
    unchanged = dump_store(store_url)
    upgraded = run("db", "upgrade")

    assert 6 == refused.exit_code
    assert error_line(refused) == (
        "Error: login olu is bound to officer.one: it acts as officer.one only, never as "
        "sam.senior; or db upgrade needs no member of staff: run it naming no one (no --as, no "
        "COMPLAINTCTL_USER, no `as` in the config file) and it is recorded as the connecting "
        "role or login"
    )
    assert before == unchanged
    assert 0 == upgraded.exit_code, upgraded.output
    with sqlite3.connect(store_url) as raw:
        actors = raw.execute("SELECT actor FROM event WHERE action = 'upgrade-schema'").fetchall()
    assert [("officer.one",)] == actors


@sqlite_only
@freeze_time(NOW)
def test_with_logins_mapped_a_bound_login_acts_as_its_member_and_no_one_else(
    run: Run, monkeypatch: pytest.MonkeyPatch, store_url: str, no_actor_named: None
) -> None:
    senior = ("--as", "sam.senior")
    ok(run, *senior, "staff", "bind", "officer.one", "--os-login", "olu")
    turned_on = ok(run, *senior, "db", "bind-logins")
    not_here = run(*senior, "db", "require-bound-roles")
    monkeypatch.setenv("LOGNAME", "olu")  # the login the operating system says runs it

    ref = log_case(run, at="2026-12-01T09:00:00+00:00", by="officer.one")
    before = dump_store(store_url)
    refused = run(*senior, "staff", "remove", "officer.two")
    monkeypatch.setenv("LOGNAME", "someone.else")
    as_bound = run("--as", "officer.one", "note", ref, "--text", "Called")

    assert "Operating-system logins are mapped to the staff bound to them\n" == turned_on.stdout
    assert 2 == not_here.exit_code
    assert "require-bound-roles is for PostgreSQL stores" in error_line(not_here)
    assert [("log", "officer.one")] == history_actors(run, ref)
    assert 6 == refused.exit_code
    assert (
        "Error: login olu is bound to officer.one: it acts as officer.one only, never as sam.senior"
    ) == error_line(refused)
    assert 6 == as_bound.exit_code
    assert (
        "Error: officer.one is bound to login olu: only it acts as them, not login someone.else"
    ) == error_line(as_bound)
    assert before == dump_store(store_url)
    listed = json.loads(ok(run, "staff", "list", "--json").stdout)
    assert {"officer.one": ("olu", None)} == {
        s["username"]: (s["os_login"], s["db_role"]) for s in listed if s["os_login"]
    }


@sqlite_only
@freeze_time(NOW)
def test_mapping_logins_from_a_login_that_could_not_act_after_is_refused(
    run: Run, monkeypatch: pytest.MonkeyPatch, store_url: str
) -> None:
    # sam.senior bound to a login of their own, mapping logins from another: every command
    # after, theirs included, would be refused (exit 6) from here.
    senior = ("--as", "sam.senior")
    ok(run, *senior, "staff", "bind", "sam.senior", "--os-login", "sam")
    monkeypatch.setenv("LOGNAME", "admin")
    before = dump_store(store_url)

    refused = run(*senior, "db", "bind-logins")

    assert 2 == refused.exit_code
    assert (
        "Error: sam.senior is bound to login sam, not login admin, which runs this: with logins "
        "mapped you could not act as sam.senior after; map them from login sam"
    ) == error_line(refused)
    assert before == dump_store(store_url)
    monkeypatch.setenv("LOGNAME", "sam")
    ok(run, *senior, "db", "bind-logins")


@sqlite_only
@freeze_time(NOW)
def test_adding_someone_bound_to_the_login_you_run_as_is_refused(
    run: Run, monkeypatch: pytest.MonkeyPatch, store_url: str
) -> None:
    senior = ("--as", "sam.senior")
    ok(run, *senior, "staff", "bind", "sam.senior", "--os-login", "sam")
    monkeypatch.setenv("LOGNAME", "sam")
    ok(run, *senior, "db", "bind-logins")
    before = dump_store(store_url)

    refused = run(
        *senior, "staff", "add", "new.one", "--name", "New One", "--role", "officer",
        "--os-login", "sam",
    )  # fmt: skip

    assert 2 == refused.exit_code
    assert error_line(refused).startswith(
        "Error: you connect as login sam: binding it to new.one would leave you unable to act "
        "as sam.senior"
    )
    assert before == dump_store(store_url)


@freeze_time(NOW)
def test_a_binding_refused_says_why_and_writes_nothing(run: Run, store_url: str) -> None:
    senior = ("--as", "sam.senior")
    ok(run, *senior, "staff", "bind", "officer.one", "--os-login", "olu")
    before = dump_store(store_url)

    taken = run(*senior, "staff", "bind", "officer.two", "--os-login", "olu")
    nobody = run(*senior, "staff", "bind", "no.one", "--db-role", "no_one")
    officer = run("staff", "unbind", "officer.one")

    assert (2, 4, 6) == (taken.exit_code, nobody.exit_code, officer.exit_code)
    assert "Error: --os-login olu is bound to officer.one already" == error_line(taken)
    assert "Error: no staff member no.one" == error_line(nobody)
    assert "officer.one (officer) may not add, change or remove staff" in error_line(officer)
    assert before == dump_store(store_url)
    assert "Unbound officer.one (Olu One, officer)\n" == (
        ok(run, *senior, "staff", "unbind", "officer.one").stdout
    )
