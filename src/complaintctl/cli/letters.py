"""`complaintctl letter`: the letters and emails the procedure owes the consumer, made from the
case, and `letter check`, which holds the organisation's templates to what each must carry."""

import sys
from contextlib import suppress
from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from complaintctl.cli import completion
from complaintctl.cli.app import State, commands, current_state
from complaintctl.cli.options import At, DryRun, Json, whole_number
from complaintctl.errors import EXIT_BULK_REFUSED, ComplaintError, InvalidInput, SentNotRecorded

if TYPE_CHECKING:
    from collections.abc import Callable

    from complaintctl.config import Config
    from complaintctl.domain.letters import LetterFormat
    from complaintctl.files import NewFile
    from complaintctl.letters import Templates
    from complaintctl.store.uow import UnitOfWork
    from complaintctl.views import Letter, LetterBatch


class Format(StrEnum):
    TEXT = "text"
    HTML = "html"
    PDF = "pdf"
    EML = "eml"


@commands.command("letter")
def letter_command(
    ctx: typer.Context,
    target: Annotated[
        str,
        typer.Argument(
            metavar="REF|-|check",
            help="The case (- for references or JSON on stdin; check to check templates).",
            autocompletion=completion.case_refs,
        ),
    ],
    kind: Annotated[
        str | None,
        typer.Argument(
            metavar="KIND",
            help="acknowledgement, extension, first-response, final-response, out-of-scope, "
            "restriction, or a kind of the organisation's (after check: a templates folder).",
            autocompletion=completion.letter_kinds,
        ),
    ] = None,
    format: Annotated[
        Format | None,
        typer.Option(
            "--format",
            help="text, html (print-ready A4), pdf (needs the pdf extra) or eml (an email) "
            "[default: text at a terminal; otherwise eml or pdf, by the consumer's preferred "
            "contact].",
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option("-o", "--output", metavar="FILE", help="Write the letter to this new file."),
    ] = None,
    out_dir: Annotated[
        str | None,
        typer.Option(
            "--out-dir",
            metavar="DIR",
            help="Write each letter to this folder, named REF-KIND.EXT (for several cases).",
        ),
    ] = None,
    issue: Annotated[
        bool,
        typer.Option(
            "--issue", help="Record that the letter was sent (its hash, template and facts)."
        ),
    ] = False,
    reissue: Annotated[
        bool,
        typer.Option(
            "--reissue",
            help="Issue it again from the case as it is now (a letter once issued is "
            "otherwise made again from what was recorded).",
        ),
    ] = False,
    templates: Annotated[
        str | None,
        typer.Option(
            "--templates",
            metavar="DIR",
            help="The organisation's templates [default: the config file's templates].",
        ),
    ] = None,
    list_issued: Annotated[
        bool, typer.Option("--list", help="List the letters issued on the case.")
    ] = False,
    restriction: Annotated[
        int | None,
        typer.Option(
            "--restriction",
            metavar="ID",
            parser=whole_number(1),
            help="The restriction in force a restriction letter tells of (restrict list) "
            "[default: the latest decided].",
        ),
    ] = None,
    at: At = None,
    dry_run: DryRun = False,
    json_output: Json = False,
) -> None:
    """Write a letter to the consumer from the case: acknowledgement, agreed timescale,
    responses, out of scope, restriction.

    Each kind needs its step recorded (a final-response letter, the final response). The
    letter draws everything from the case and the config file's [organisation]; --issue
    records it in the history with the SHA-256 of its bytes, and the same command run again
    writes the same bytes. `letter check [DIR]` refuses templates that leave out what a kind
    must carry.
    """
    from complaintctl.cli import render
    from complaintctl.files import file_named
    from complaintctl.letters import Templates

    state = current_state(ctx)
    # An empty folder (`--templates "$DIR"` with DIR not set) is refused, never taken as none
    # given: the letters would come from other templates than the ones meant, checked or not.
    for given, named in ((templates, "--templates"), (kind if target == "check" else None, "DIR")):
        if given is not None and not given.strip():
            raise InvalidInput(f"{named} names a templates folder: it was given empty")
    # Templates reads its folder resolved, as every file message names one (files.resolved).
    folder = Path(templates) if templates else _config(state).templates()
    if restriction is not None and (target == "check" or list_issued):
        raise InvalidInput(
            "--restriction chooses which restriction a restriction letter tells of: it goes "
            "with making one, not with --list or check"
        )
    if target == "check":
        checked = Templates(Path(kind) if kind else folder)
        render.templates_checked(checked, json_output=json_output)
        return
    if list_issued:
        _list(state, target, kind, Templates(folder), json_output)
        return
    if kind is None:
        raise InvalidInput("name the KIND of letter, e.g. letter SC-2026-000001 acknowledgement")
    kind = Templates(folder).known(kind)  # in any case, as every word from a list
    if reissue:
        issue = True
    # `-o "$OUT"` with OUT unset names no file: never the letter on stdout, recorded as issued.
    if output is not None:
        file_named(output, "letter -o")
    if out_dir is not None and not out_dir.strip():
        raise InvalidInput(
            f"--out-dir names a folder to write the letters in: name it ({out_dir!r} is not one)"
        )
    if target == "-" and out_dir is None:
        raise InvalidInput("letters for several cases go to a folder: --out-dir DIR")
    if output is not None and out_dir is not None:
        raise InvalidInput("-o names one file and --out-dir a folder: give one of them")
    if json_output and output is None and out_dir is None:
        raise InvalidInput("--json describes the letters written: give -o FILE or --out-dir DIR")
    to_stdout = output is None and out_dir is None
    if format is None and to_stdout and render.at_terminal() and sys.stdout.isatty():
        format = Format.TEXT
    if format == Format.PDF and to_stdout and sys.stdout.isatty():
        raise InvalidInput("a PDF is not for a terminal: give -o FILE, or redirect stdout")
    _write_letters(
        state,
        refs=[target],
        kind=kind,
        format=format,
        templates=Templates(folder),
        issue=issue,
        reissue=reissue,
        dry_run=dry_run,
        at=at,
        output=Path(output) if output else None,
        out_dir=Path(out_dir) if out_dir else None,
        json_output=json_output,
        restriction=restriction,
    )


def templates_of(state: State) -> "Templates":
    """The config file's templates (the organisation's folder, or the built-in ones)."""
    from complaintctl.letters import Templates

    return Templates(_config(state).templates())


def _config(state: State) -> "Config":
    from complaintctl import config

    return state.config or config.load()


def _write_letters(
    state: State,
    *,
    refs: list[str],
    kind: str,
    format: Format | None,
    templates: "Templates",
    issue: bool,
    reissue: bool,
    dry_run: bool,
    at: str | None,
    output: Path | None,
    out_dir: Path | None,
    json_output: bool,
    restriction: int | None = None,
) -> None:
    from complaintctl.cli import render
    from complaintctl.cli.bulk import read_refs
    from complaintctl.domain.letters import LetterFormat

    from_stdin = refs == ["-"]
    if from_stdin:
        refs, _ = read_refs(refs)
        if not refs:
            render.note("No case references on stdin: nothing to do")
            if json_output:  # a script reading stdout still gets the JSON, of no letters
                from complaintctl.views import LetterBatch

                nothing = LetterBatch(
                    letters=(), refused=(), to_issue=(), zone="UTC", dry_run=dry_run
                )
                render.letters_made(
                    nothing, output=output, out_dir=out_dir, dry_run=dry_run, json_output=True,
                    zone=nothing.zone,
                )  # fmt: skip
            return
    else:
        refs = [ref.strip().upper() for ref in refs]
    from complaintctl.files import resolved

    # The folder named as every file message names one: resolved (files.resolved).
    folder = None if out_dir is None else resolved(out_dir)
    if folder is not None and folder.is_file():
        raise InvalidInput(f"{folder} is a file: --out-dir names a folder to write the letters in")
    if folder is not None and not folder.is_dir():
        raise InvalidInput(f"no folder {folder} to write the letters in")

    # A letter for stdout is written out inside the transaction, before its issue is recorded.
    to_stdout = output is None and out_dir is None and not json_output and not dry_run

    def make(uow: "UnitOfWork", when: datetime) -> "LetterBatch":
        return made_letters(
            state,
            uow,
            when,
            refs=refs,
            kind=kind,
            format=LetterFormat(format.value) if format else None,
            templates=templates,
            issue=issue,
            reissue=reissue,
            dry_run=dry_run,
            output=output,
            out_dir=out_dir,
            restriction=restriction,
            send=render.letter_out if to_stdout else None,
        )

    # Without --issue nothing is recorded: a reading command, which never makes a store.
    batch = state.change(make, at) if issue else state.read(make, at, dated=True)
    if batch.refused:
        # One case named on the command line keeps its refusal's own exit code, as a step's
        # does, unless a dry run (listed as refused, exit 9, as a step's dry run is);
        # references read from stdin are a batch, however few.
        if len(refs) == 1 and not from_stdin and not dry_run:
            raise batch.refused[0][1]
        for ref, err in batch.refused:
            render.note(
                err.message if err.message.startswith(f"{ref}:") else f"{ref}: {err.message}"
            )
        render.note(
            f"Error: {len(batch.refused)} of {len(refs)} case{'' if len(refs) == 1 else 's'}"
            " refused, so no letter was "
            "written or recorded"
        )
        raise typer.Exit(EXIT_BULK_REFUSED)
    render.letters_made(
        batch,
        output=output,
        out_dir=out_dir,
        dry_run=dry_run,
        json_output=json_output,
        zone=batch.zone,
        sent=to_stdout,
    )


def made_letters(
    state: State,
    uow: "UnitOfWork",
    when: datetime,
    *,
    refs: list[str],
    kind: str,
    format: "LetterFormat | None",
    templates: "Templates",
    issue: bool,
    reissue: bool,
    dry_run: bool,
    output: Path | None,
    out_dir: Path | None,
    restriction: int | None = None,
    send: "Callable[[Letter], None] | None" = None,
) -> "LetterBatch":
    """`letter`'s work in its transaction (the live view's too): the letters made, each written
    to its new file (`output`, or in `out_dir`), or given to `send` (stdout), and recorded as
    issued if `issue`; a refusal takes the files away again and records nothing, and so does
    a letter that `send` could not write out."""
    from complaintctl.files import NewFile, check_writable, staged
    from complaintctl.letters import pdf_available
    from complaintctl.services.letters import make_letters, record_issued

    organisation = _config(state).organisation
    batch = make_letters(
        uow,
        refs=refs,
        kind=kind,
        format=format,
        templates=templates,
        organisation=organisation,
        issue=issue,
        reissue=reissue,
        pdf_ok=pdf_available,
        at=when,
        now=state.now,
        restriction=restriction,
    )
    if batch.refused:
        return batch
    files: list[NewFile] = []
    try:
        if not dry_run:
            # Each file made whole beside its destination, then put in place, before the
            # issue is recorded: a refusal or a failure to commit takes them away again,
            # so there is never a letter recorded as issued without its file, or the
            # other way round.
            for letter in batch.letters:
                target = output if output is not None else _in(out_dir, letter)
                if target is not None:
                    made = staged(target, letter.content, protected=state.store_files())
                    files.append(made)
            for file in files:
                file.place(replace=False)
        else:
            # Nothing written, but refused as the real run would refuse its files.
            for letter in batch.letters:
                target = output if output is not None else _in(out_dir, letter)
                if target is not None:
                    check_writable(target, protected=state.store_files(), replace=False)
        # Held until a letter for stdout is written out whole: one that cannot be (a full
        # disk, a closed pipe) is never recorded as issued.
        with uow.holding_commits():
            refused = record_issued(
                uow, batch, by=state.actor, at=when, now=state.now, dry_run=dry_run
            )
        if refused:
            _remove(files)
            return replace(batch, letters=(), refused=refused, to_issue=())
        if send is not None and not dry_run:
            for letter in batch.letters:
                send(letter)
            if batch.to_issue:
                # Out on stdout (to a mail pipe, say) and not yet on record: what an error or
                # an interrupt from here to the commit says (cli/app.RootGroup._recorded).
                state.unrecorded = _how_to_record(batch.to_issue[0], when)
        if batch.to_issue and not dry_run:
            try:
                uow.commit_held()
            except ComplaintError as err:
                if state.unrecorded is None:
                    raise
                raise SentNotRecorded(err, state.unrecorded) from err
    except BaseException:
        _remove(files)
        raise
    finally:
        for file in files:
            file.discard()
    return replace(batch, dry_run=dry_run)


def _how_to_record(letter: "Letter", when: datetime) -> str:
    """What a letter out on stdout (one case's) and not on record says: that, and how to record
    it without sending it again (the same bytes, made at the same --at)."""
    return (
        "the letter went to stdout but its issue may not be recorded: to record it, run the "
        f"command again with --format {letter.format.value} --at "
        f"{when.isoformat(timespec='seconds')} -o FILE (the same letter, written to a file "
        "rather than sent again)"
    )


def _remove(files: list["NewFile"]) -> None:
    """Take away the letters this command put in place (each a new file of its own)."""
    for file in files:
        if file.placed:
            with suppress(FileNotFoundError):
                file.target.unlink()


def _in(folder: Path | None, letter: "Letter") -> Path | None:
    from complaintctl.files import resolved

    return None if folder is None else resolved(folder) / letter.file_name


def _list(
    state: State, ref: str, kind: str | None, templates: "Templates", json_output: bool
) -> None:
    """The letters issued on the case; with KIND, those of that kind (one of the templates'
    kinds, or one issued on the case: a mistyped kind is refused, not listed as none)."""
    from complaintctl import services
    from complaintctl.cli import render
    from complaintctl.domain.procedure import Action

    view = state.read(lambda uow, when: services.show_case(uow, ref=ref, as_of=when), None)
    issued = {e.details.get("kind") for e in view.history if e.action == Action.LETTER}
    if kind is not None:
        kind = templates.known(kind, also=(k for k in issued if isinstance(k, str)))
    render.letters_issued(state.output, view, kind=kind, json_output=json_output)
