"""Causes and actions end to end: `cause list|add`, `respond|final --cause`, `action
add|done|list`, an action in `show` and in `overdue --kind action`, and each error class."""

from __future__ import annotations

import json

import pytest
from freezegun import freeze_time

from tests.cli import journey
from tests.cli.conftest import Run
from tests.cli.journey import ok, recorded_at, show, step

LOGGED = "2026-12-01T10:00"  # Tue
NOW = "2026-12-20 12:00:00"


def case_at_first_stage(run: Run) -> str:
    ref = journey.log_case(run, at=LOGGED)
    journey.ack(run, ref, at="2026-12-01T11:00")
    journey.assign(run, ref, at="2026-12-01T12:00")
    return ref


def test_cause_list_and_a_senior_adding_one(run: Run) -> None:
    with freeze_time(NOW):
        added = ok(run, "--as", "sam.senior", "cause", "add", "lost-post", "--words", "Post lost")
        listed = json.loads(ok(run, "cause", "list", "--json").stdout)
        plain = ok(run, "cause", "list").stdout

    assert "Added the cause lost-post: Post lost\n" == added.stdout
    assert "lost-post" in [c["name"] for c in listed]
    assert "lost-post\tPost lost\tsam.senior\n" in plain


def test_respond_with_a_cause_and_goodwill_opens_the_pay_action_which_show_lists(
    run: Run,
) -> None:
    ref = case_at_first_stage(run)
    step(run, "2026-12-02T10:00", "--as", "rita.responder", "respond", ref, "--decision",
         "upheld", "--summary", "Slow", "--goodwill", "50", "--cause", "delay", "--cause",
         "wrong-information")  # fmt: skip

    with freeze_time(NOW):
        case = show(run, ref)
        text = ok(run, "show", ref).stdout
    assert ["delay", "wrong-information"] == case["responses"][0]["causes"]
    (action,) = case["actions"]
    # 10 working days after Wed 2 Dec: the close of Wed 16 Dec; past due by NOW.
    assert ("pay the goodwill of £50.00", "rita.responder", "2026-12-16T17:00:00+00:00", True) == (
        action["what"], action["owner"], action["due"], action["overdue"],
    )  # fmt: skip
    assert f"Action\t{action['id']} (remedy) pay the goodwill of £50.00: rita.responder" in text
    assert "causes: delay, wrong-information" in text


@pytest.mark.parametrize(
    ("cause", "said"),
    [
        # An unknown cause names the known ones.
        ("weather", "'weather' is not on the list of causes; the causes are delay, other"),
        # One given empty says so, never looked up as a cause not on the list.
        ("", "Error: --cause must not be empty: name a cause from `complaintctl cause list`"),
    ],
)
def test_a_cause_not_on_the_list_or_empty_exits_2_and_changes_nothing(
    run: Run, cause: str, said: str
) -> None:
    ref = case_at_first_stage(run)
    with recorded_at("2026-12-02T10:00"):
        result = run(
            "--as", "rita.responder", "respond", ref, "--decision", "upheld", "--summary",
            "Slow", "--cause", cause, "--at", "2026-12-02T10:00",
        )  # fmt: skip

    assert (2, 1, True) == (
        result.exit_code, len(result.stderr.splitlines()), result.stderr.startswith("Error: ")
    )  # fmt: skip
    assert said in result.stderr
    assert ("not on the list" in result.stderr) == bool(cause)
    assert "first-stage" == show(run, ref)["stage"]


def test_action_add_done_list_and_overdue(run: Run) -> None:
    ref = case_at_first_stage(run)
    with recorded_at("2026-12-01T13:00"):
        opened = json.loads(ok(
            run, "action", "add", ref, "--what", "Fix the record", "--owner", "lee.leader",
            "--within", "2d", "--kind", "improvement", "--json",
        ).stdout)  # fmt: skip
        said = ok(run, "action", "add", ref, "--what", "Call back", "--owner", "rita.responder",
                  "--due", "2026-12-01T16:00", "--kind", "remedy").stdout  # fmt: skip
    with freeze_time(NOW):
        overdue = json.loads(ok(run, "overdue", "--kind", "action", "--json").stdout)
        done = ok(run, "--as", "lee.leader", "action", "done", str(opened["id"]), "--note",
                  "Fixed").stdout  # fmt: skip
        listed = ok(run, "action", "list").stdout
        still_open = json.loads(ok(run, "action", "list", "--open", "--json").stdout)

    assert ("2026-12-03T17:00:00+00:00", "lee.leader") == (opened["due"], opened["owner"])
    assert said.startswith(f"Opened action 2 on {ref} (remedy), owned by rita.responder, due ")
    assert [(ref, "action"), (ref, "action")] == [(i["ref"], i["kind"]) for i in overdue]
    assert done.startswith(f"Done: action 1 on {ref}, late (due ")
    assert ["2\t" + ref, "1\t" + ref] == [line.split("\t", 2)[0] + "\t" + line.split("\t")[1]
                                        for line in listed.splitlines()]  # fmt: skip
    assert [2] == [a["id"] for a in still_open]


def test_an_actions_what_of_several_lines_is_said_on_one_line_when_opened_handed_on_and_done(
    run: Run,
) -> None:
    ref = case_at_first_stage(run)
    with recorded_at("2026-12-01T13:00"):
        opened = ok(run, "action", "add", ref, "--what", "Call back\n\tand  write", "--owner",
                    "rita.responder", "--within", "2d", "--kind", "remedy").stdout  # fmt: skip
        handed = ok(run, "--as", "lee.leader", "action", "reassign", "1", "--to", "lee.leader",
                    "--reason", "Away").stdout  # fmt: skip
        done = ok(run, "--as", "lee.leader", "action", "done", "1").stdout

    assert [1, 1, 1] == [len(said.splitlines()) for said in (opened, handed, done)]
    assert all(said.endswith(": Call back and write\n") for said in (opened, handed, done))


def test_an_actions_what_of_several_lines_is_one_line_in_the_table_at_a_terminal(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer.testing

    ref = case_at_first_stage(run)
    with recorded_at("2026-12-01T13:00"):
        ok(run, "action", "add", ref, "--what", "Call back\nand write", "--owner",
           "rita.responder", "--within", "2d", "--kind", "remedy")  # fmt: skip
    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    monkeypatch.setenv("TERM", "dumb")
    with freeze_time(NOW):
        table = ok(run, "action", "list").stdout

    # As show, history and overdue give it: a table (or a record's block, where the terminal
    # is narrow) laid out for people, not a run of lines each like a row's.
    assert "Call back and write" in table
    assert not any(line.strip() == "and write" for line in table.splitlines())


def test_an_action_due_on_a_date_alone_is_due_at_the_end_of_that_day(run: Run) -> None:
    ref = case_at_first_stage(run)
    with recorded_at("2026-12-01T13:00"):
        opened = json.loads(ok(
            run, "action", "add", ref, "--what", "Call back", "--owner", "rita.responder",
            "--due", "2026-12-04", "--kind", "remedy", "--json",
        ).stdout)  # fmt: skip

    assert "2026-12-04T23:59:59+00:00" == opened["due"]


def test_an_action_opened_back_dated_past_its_due_says_it_is_overdue(run: Run) -> None:
    ref = case_at_first_stage(run)
    opening = ("action", "add", ref, "--what", "Call back", "--owner", "rita.responder",
               "--within", "4h", "--kind", "remedy", "--at", "2026-12-01T13:00")  # fmt: skip
    with freeze_time(NOW):
        said = ok(run, *opening).stdout
        opened = json.loads(ok(run, *opening, "--json").stdout)

    # Due at the close of Tue 1 Dec, typed in on 20 Dec: overdue already, as `overdue` has it.
    assert said.endswith("due Tue 2026-12-01 17:00 GMT (overdue): Call back\n")
    assert ("2026-12-01T17:00:00+00:00", True) == (opened["due"], opened["overdue"])


def test_an_action_saved_and_then_not_read_back_says_it_is_kept(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The action is committed, then its view read: a store gone that moment must not read as a
    # refusal, or a script runs the command again and the action is owed twice.
    from complaintctl.errors import StoreUnavailable
    from complaintctl.services import lessons

    ref = case_at_first_stage(run)

    def gone(*_args: object, **_kwargs: object) -> None:
        raise StoreUnavailable("the store is gone")

    with monkeypatch.context() as patched:
        patched.setattr(lessons, "action_view", gone)
        result = run("action", "add", ref, "--what", "Call back", "--owner", "rita.responder",
                     "--within", "2d", "--kind", "remedy")  # fmt: skip
    listed = ok(run, "action", "list").stdout

    assert (8, "") == (result.exit_code, result.stdout)
    assert "Error: the store is gone; what the command recorded is kept (history shows it): " \
        "do not run it again\n" == result.stderr  # fmt: skip
    assert 1 == len(listed.splitlines())


def test_overdue_names_which_of_a_cases_actions_each_line_is(run: Run) -> None:
    """Two actions on one case, due at once: plain lines, CSV and the summary say `action N`
    in the kind column, N as `action done` takes it; JSON has the number as action_id."""
    ref = case_at_first_stage(run)
    with recorded_at("2026-12-01T13:00"):
        for what in ("Call back", "Fix the record"):
            ok(run, "action", "add", ref, "--what", what, "--owner", "rita.responder",
               "--due", "2026-12-01T16:00", "--kind", "remedy")  # fmt: skip
    with freeze_time(NOW):
        plain = ok(run, "overdue", "--kind", "action").stdout
        csv = ok(run, "overdue", "--kind", "action", "--csv").stdout
        summary = ok(run, "overdue", "--kind", "action", "--summary").stdout
        listed = json.loads(ok(run, "overdue", "--kind", "action", "--json").stdout)

    assert [(ref, "action 1"), (ref, "action 2")] == [
        tuple(line.split("\t")[:2]) for line in plain.splitlines()
    ]
    assert [f"{ref},action 1", f"{ref},action 2"] == [
        ",".join(line.split(",")[:2]) for line in csv.splitlines()[1:]
    ]
    assert f"  {ref}  action 1  " in summary
    assert f"  {ref}  action 2  " in summary
    assert [(ref, "action", 1), (ref, "action", 2)] == [
        (i["ref"], i["kind"], i["action_id"]) for i in listed
    ]


def test_action_errors_exit_with_their_codes(run: Run) -> None:
    ref = case_at_first_stage(run)
    with recorded_at("2026-12-01T13:00"):
        ok(run, "action", "add", ref, "--what", "Call back", "--owner", "rita.responder",
           "--within", "1d", "--kind", "remedy")  # fmt: skip
        results = {
            "no case": run(
                "action",
                "add",
                "SC-2026-999999",
                "--what",
                "X",
                "--owner",
                "rita.responder",
                "--within",
                "1d",
                "--kind",
                "remedy",
            ),
            "bad within": run(
                "action",
                "add",
                ref,
                "--what",
                "X",
                "--owner",
                "rita.responder",
                "--within",
                "soon",
                "--kind",
                "remedy",
            ),
            "a unit twice": run(
                "action",
                "add",
                ref,
                "--what",
                "X",
                "--owner",
                "rita.responder",
                "--within",
                "3h3h",
                "--kind",
                "remedy",
            ),  # fmt: skip
            "due and within": run(
                "action",
                "add",
                ref,
                "--what",
                "X",
                "--owner",
                "rita.responder",
                "--due",
                "2026-12-08T12:00",
                "--within",
                "1d",
                "--kind",
                "remedy",
            ),
            "neither due nor within": run(
                "action", "add", ref, "--what", "X", "--owner", "rita.responder", "--kind", "remedy"
            ),
            "before receipt": run(
                "action",
                "add",
                ref,
                "--what",
                "X",
                "--owner",
                "rita.responder",
                "--within",
                "1d",
                "--kind",
                "remedy",
                "--at",
                "2026-12-01T09:00",
            ),  # fmt: skip
            "no action": run("action", "done", "9"),
            "not the owner": run("--as", "officer.two", "action", "done", "1"),
            "senior only": run("cause", "add", "lost-post", "--words", "Post lost"),
        }
        ok(run, "--as", "rita.responder", "action", "done", "1")
        results["done twice"] = run("--as", "rita.responder", "action", "done", "1")

    assert {
        "no case": (4, "Error: no case SC-2026-999999\n"),
        "bad within": (2, "Error: --within: 'soon' is not a duration; write it like 4h, 30m, 2d "
                          "or 1d4h (d: a working day)\n"),
        "a unit twice": (2, "Error: --within: '3h3h' gives h more than once; give each of "
                            "d, h and m at most once, like 1d4h\n"),
        "due and within": (2, "Error: give --due or --within, not both\n"),
        "neither due nor within": (2, "Error: say when it is due: --due DATETIME or --within "
                                      "DURATION (one of them)\n"),
        "before receipt": (2, f"Error: --at is before {ref} was received (Tue 2026-12-01 "
                              "10:00 GMT)\n"),
        "no action": (4, "Error: no action 9 (see `complaintctl action list`)\n"),
        "not the owner": (6, "Error: officer.two (officer) may not mark action 1 done: only its "
                             "owner (rita.responder), or leader, senior-complaint-executive, "
                             "senior-leader, may\n"),
        "senior only": (6, "Error: officer.one (officer) may not add a cause to the list: only "
                           "senior-complaint-executive, senior-leader may\n"),
        "done twice": (5, "Error: action 1 on " + ref + " was done already, "
                          "Tue 2026-12-01 13:00 GMT by rita.responder\n"),
    } == {name: (r.exit_code, r.stderr) for name, r in results.items()}  # fmt: skip


def test_show_as_of_lists_the_actions_as_they_stood_then(run: Run) -> None:
    ref = case_at_first_stage(run)
    with recorded_at("2026-12-01T13:00"):
        ok(run, "action", "add", ref, "--what", "Call back", "--owner", "rita.responder",
           "--due", "2026-12-01T16:00", "--kind", "remedy")  # fmt: skip
    with recorded_at("2026-12-02T10:00"):
        ok(run, "--as", "rita.responder", "action", "done", "1")
        ok(run, "action", "add", ref, "--what", "Fix the record", "--owner", "lee.leader",
           "--within", "2d", "--kind", "improvement")  # fmt: skip

    with freeze_time(NOW):
        then = json.loads(ok(run, "show", ref, "--as-of", "2026-12-01T17:00", "--json").stdout)
        text = ok(run, "show", ref, "--as-of", "2026-12-01T17:00").stdout
        now = show(run, ref)

    # Done since, but open and past due then; the improvement not yet opened.
    assert [(1, True, None)] == [(a["id"], a["overdue"], a["done_at"]) for a in then["actions"]]
    assert "Action\t1 (remedy) Call back: rita.responder" in text
    assert "Fix the record" not in text
    assert [(2, True)] == [(a["id"], a["overdue"]) for a in now["actions"]]


def test_show_as_of_gives_an_actions_due_as_it_stood_before_a_later_calendar_change(
    run: Run,
) -> None:
    ref = case_at_first_stage(run)
    with recorded_at("2026-12-01T13:00"):  # Tue: 2 working days, to Thursday's close
        ok(run, "action", "add", ref, "--what", "Fix the record", "--owner", "lee.leader",
           "--within", "2d", "--kind", "improvement")  # fmt: skip
    with recorded_at("2026-12-01T14:00"):  # Wednesday closed: to Friday's close
        ok(run, "--as", "sam.senior", "calendar", "close", "2026-12-02", "--reason", "Move")

    with freeze_time(NOW):
        then = json.loads(ok(run, "show", ref, "--as-of", "2026-12-01T13:30", "--json").stdout)
        text = ok(run, "show", ref, "--as-of", "2026-12-01T13:30").stdout
        now = show(run, ref)

    # As the case's own clock shows the due recorded then, so does its action.
    assert ["2026-12-03T17:00:00+00:00"] == [a["due"] for a in then["actions"]]
    assert "Fix the record: lee.leader, due Thu 2026-12-03 17:00 GMT" in text
    assert ["2026-12-04T17:00:00+00:00"] == [a["due"] for a in now["actions"]]


def test_action_list_as_of_gives_each_due_as_it_stood_before_a_later_calendar_change(
    run: Run,
) -> None:
    ref = case_at_first_stage(run)
    with recorded_at("2026-12-01T13:00"):  # Tue: 2 working days, to Thursday's close
        ok(run, "action", "add", ref, "--what", "Fix the record", "--owner", "lee.leader",
           "--within", "2d", "--kind", "improvement")  # fmt: skip
    with recorded_at("2026-12-01T14:00"):  # Wednesday closed: to Friday's close
        ok(run, "--as", "sam.senior", "calendar", "close", "2026-12-02", "--reason", "Move")

    with freeze_time(NOW):
        then = json.loads(ok(run, "action", "list", "--as-of", "2026-12-01T13:30", "--json").stdout)
        overdue = json.loads(
            ok(run, "action", "list", "--overdue", "--as-of", "2026-12-04T10:00", "--json").stdout
        )
        now = json.loads(ok(run, "action", "list", "--json").stdout)

    # As `show --as-of` gives it: the due recorded then, not one a later change gave it.
    assert ["2026-12-03T17:00:00+00:00"] == [a["due"] for a in then]
    assert ([], ["2026-12-04T17:00:00+00:00"]) == (overdue, [a["due"] for a in now])


def test_action_list_with_nothing_to_list_says_so_at_a_terminal(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer.testing

    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    monkeypatch.setenv("TERM", "dumb")
    run("calendar")  # the store, with no action in it

    result = run("action", "list", "--open")

    # The words alone: no bare header on stdout, as if the list had failed.
    assert (0, "No action matches.\n", "") == (result.exit_code, result.stderr, result.stdout)


def test_an_action_due_after_the_known_bank_holidays_is_warned_of(run: Run) -> None:
    # The store knows the bank holidays of 2021 to 2031. Opened Mon 29 December 2031, 5
    # working days count New Year's Day 2032 (not known) as one: due Mon 5 January, a day
    # early, as a case's clock there is warned of (README, "How deadlines are counted").
    warning = (
        "Warning: bank holidays are known only from 2021-01-01 to 2031-12-31; a deadline after "
        "them assumes there are none — run `complaintctl calendar holidays --through 2032` to "
        "add them"
    )
    with recorded_at("2031-12-22T10:00"):
        ref = journey.log_case(run, at="2031-12-22T10:00")
        journey.ack(run, ref, at="2031-12-22T11:00")
    with recorded_at("2031-12-29T12:00"):
        opened = ok(run, "action", "add", ref, "--what", "Fix the form", "--owner",
                    "lee.leader", "--within", "5d", "--kind", "improvement")  # fmt: skip
        shown = ok(run, "show", ref)
        listed = run("action", "list")
        listed_json = run("action", "list", "--json")

    assert "due Mon 2032-01-05 17:00 GMT" in opened.stdout
    assert ([warning], [warning]) == (opened.stderr.splitlines(), shown.stderr.splitlines())
    # Listed too, once, on stderr: the JSON on stdout is the list alone.
    assert ([warning], [warning]) == (listed.stderr.splitlines(), listed_json.stderr.splitlines())
    assert 1 == len(json.loads(listed_json.stdout))


def test_action_reassign_hands_an_action_on_and_history_and_listings_follow(run: Run) -> None:
    ref = case_at_first_stage(run)
    with recorded_at("2026-12-01T13:00"):
        ok(run, "action", "add", ref, "--what", "Call back", "--owner", "rita.responder",
           "--within", "1d", "--kind", "remedy")  # fmt: skip
    with recorded_at("2026-12-01T14:00"):
        said = ok(run, "--as", "lee.leader", "action", "reassign", "1", "--to", "ruth.responder",
                  "--reason", "Rita has left")  # fmt: skip
    with freeze_time(NOW):
        ruths = json.loads(ok(run, "action", "list", "--owner", "ruth.responder", "--json").stdout)
        ritas = ok(run, "action", "list", "--owner", "rita.responder").stdout
        history = ok(run, "history", ref).stdout
        entries = journey.history(run, ref)

    assert said.stdout.startswith(
        f"Reassigned action 1 on {ref} (remedy), owned by ruth.responder, due "
    )
    assert ([1], "") == ([a["id"] for a in ruths], ritas)
    assert ("action-reassigned", "lee.leader", {
        "id": 1, "kind": "remedy", "previous_owner": "rita.responder", "owner": "ruth.responder",
        "reason": "Rita has left",
    }) == (entries[-1]["action"], entries[-1]["by"], entries[-1]["details"])  # fmt: skip
    assert "owner: ruth.responder; previous owner: rita.responder; reason: Rita has left" in (
        history
    )


def test_action_reassign_errors_exit_with_their_codes(run: Run) -> None:
    ref = case_at_first_stage(run)
    with recorded_at("2026-12-01T13:00"):
        for _ in range(2):
            ok(run, "action", "add", ref, "--what", "Call back", "--owner", "rita.responder",
               "--within", "1d", "--kind", "remedy")  # fmt: skip
        ok(run, "--as", "rita.responder", "action", "done", "2")
        ok(run, "--as", "sam.senior", "staff", "remove", "officer.three")

        def reassign(*args: str, by: str = "rita.responder") -> tuple[int, str]:
            result = run("--as", by, "action", "reassign", *args)
            return result.exit_code, result.stderr

        results = {
            "no action": reassign("9", "--to", "ruth.responder", "--reason", "Left"),
            "done": reassign("2", "--to", "ruth.responder", "--reason", "Left"),
            "not permitted": reassign("1", "--to", "ruth.responder", "--reason", "Left",
                                      by="officer.two"),
            "removed owner": reassign("1", "--to", "officer.three", "--reason", "Left"),
            "same owner": reassign("1", "--to", "rita.responder", "--reason", "Left"),
            "no reason": reassign("1", "--to", "ruth.responder"),
        }  # fmt: skip

    assert {
        "no action": (4, "Error: no action 9 (see `complaintctl action list`)\n"),
        "done": (5, f"Error: action 2 on {ref} was done already, Tue 2026-12-01 13:00 GMT by "
                    "rita.responder\n"),
        "not permitted": (6, "Error: officer.two (officer) may not hand on action 1: only its "
                             "owner (rita.responder), or leader, senior-complaint-executive, "
                             "senior-leader, may\n"),
        "removed owner": (2, "Error: officer.three is no longer active staff\n"),
        "same owner": (2, "Error: action 1 is owned by rita.responder already: nothing to "
                          "change\n"),
        "no reason": (2, "Error: Missing option '--reason'.\n"),
    } == results  # fmt: skip


def test_action_done_dated_before_it_was_last_handed_on_exits_2(run: Run) -> None:
    ref = case_at_first_stage(run)
    with recorded_at("2026-12-01T14:00"):
        ok(run, "action", "add", ref, "--what", "Call back", "--owner", "rita.responder",
           "--within", "1d", "--kind", "remedy", "--at", "2026-12-01T13:00")  # fmt: skip
        ok(run, "--as", "rita.responder", "action", "reassign", "1", "--to", "ruth.responder",
           "--reason", "Away", "--at", "2026-12-01T13:30")  # fmt: skip
        result = run("--as", "ruth.responder", "action", "done", "1", "--at", "2026-12-01T13:15")
        listed = run("action", "list")

    said = "Error: --at is before action 1 was last handed on (Tue 2026-12-01 13:30 GMT)\n"
    assert (2, said) == (result.exit_code, result.stderr)
    assert "\topen\t" in listed.stdout
