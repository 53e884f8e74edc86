"""Commands about people: staff and their roles, restrictions on consumers, consumers' needs."""

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from complaintctl.cli import completion
from complaintctl.cli.app import commands, current_state
from complaintctl.cli.helptext import HelpGroup
from complaintctl.cli.options import At, Json, date_given, whole_number
from complaintctl.domain.procedure import Channel, ContactMethod, RestrictionScope, Role

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime
    from pathlib import Path

    from complaintctl.cli.app import State
    from complaintctl.store.uow import UnitOfWork
    from complaintctl.views import SubjectAccessView

staff_app = typer.Typer(
    cls=HelpGroup,
    help="Add, list, remove and reactivate staff, change their roles, and bind them to "
    "database roles or logins.",
    rich_markup_mode=None,
)
restrict_app = typer.Typer(
    cls=HelpGroup,
    help="Restrict a consumer from the formal procedure (senior roles), list and lift "
    "restrictions.",
    rich_markup_mode=None,
)
consumer_app = typer.Typer(
    cls=HelpGroup,
    help="Show a consumer's record and cases; record their contact preference and needs.",
    rich_markup_mode=None,
)
commands.add_typer(staff_app, name="staff")
commands.add_typer(restrict_app, name="restrict")
commands.add_typer(consumer_app, name="consumer")

Email = Annotated[str | None, typer.Option("--email", help="The consumer, by email address.")]
ConsumerId = Annotated[
    int | None,
    typer.Option(
        "--consumer-id",
        metavar="N",
        parser=whole_number(1),
        help="The consumer, by id (consumer show, or show --json, gives it).",
    ),
]


DbRole = Annotated[
    str | None,
    typer.Option(
        "--db-role",
        metavar="NAME",
        help="The PostgreSQL login role that acts as them, and as no one else.",
    ),
]
OsLogin = Annotated[
    str | None,
    typer.Option(
        "--os-login",
        metavar="LOGIN",
        help="The operating-system login that acts as them (SQLite, with `db bind-logins`).",
    ),
]


@staff_app.command("add")
def staff_add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(metavar="USERNAME", help="Their login name.")],
    name: Annotated[str, typer.Option(help="Their full name, as histories show it.")],
    role: Annotated[Role, typer.Option(help="Their role in the procedure.")],
    area: Annotated[
        str | None,
        typer.Option(
            help="The area of the business they work in (a leader leads it).",
            autocompletion=completion.areas,
        ),
    ] = None,
    db_role: DbRole = None,
    os_login: OsLogin = None,
    at: At = None,
    json_output: Json = False,
) -> None:
    """Add a member of staff. A new store takes its first from anyone; after that only a
    senior-leader or senior-complaint-executive adds staff. --db-role or --os-login binds
    them as `staff bind` does."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.change(
        lambda uow, when: services.add_staff(
            uow,
            username=username,
            name=name,
            role=role,
            area=area,
            by=state.actor,
            at=when,
            now=state.now,
            db_role=db_role,
            os_login=os_login,
        ),
        at,
    )
    render.staff_changed(view, json_output, "Added")


@staff_app.command("remove")
def staff_remove(
    ctx: typer.Context,
    username: Annotated[
        str, typer.Argument(metavar="USERNAME", autocompletion=completion.usernames)
    ],
    at: At = None,
    json_output: Json = False,
) -> None:
    """Deactivate a member of staff (senior roles); histories keep their name."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.change(
        lambda uow, when: services.remove_staff(
            uow, username=username, by=state.actor, at=when, now=state.now
        ),
        at,
    )
    render.staff_changed(view, json_output, "Removed")


@staff_app.command("reactivate")
def staff_reactivate(
    ctx: typer.Context,
    username: Annotated[
        str, typer.Argument(metavar="USERNAME", autocompletion=completion.removed_usernames)
    ],
    at: At = None,
    json_output: Json = False,
) -> None:
    """Make a removed member of staff active again (senior roles), in the role and area they
    had."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.change(
        lambda uow, when: services.reactivate_staff(
            uow, username=username, by=state.actor, at=when, now=state.now
        ),
        at,
    )
    render.staff_changed(view, json_output, "Reactivated")


@staff_app.command("role")
def staff_role(
    ctx: typer.Context,
    username: Annotated[
        str, typer.Argument(metavar="USERNAME", autocompletion=completion.usernames)
    ],
    role: Annotated[Role, typer.Option(help="Their new role in the procedure.")],
    area: Annotated[
        str | None,
        typer.Option(
            help="The area they work in (a leader leads it) [default: none].",
            autocompletion=completion.areas,
        ),
    ] = None,
    at: At = None,
    json_output: Json = False,
) -> None:
    """Change a member of staff's role or area (senior roles), as staff add sets them: a
    leader needs --area, and without --area they work in no area."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.change(
        lambda uow, when: services.change_role(
            uow,
            username=username,
            role=role,
            area=area,
            by=state.actor,
            at=when,
            now=state.now,
        ),
        at,
    )
    render.staff_changed(view, json_output, "Changed")


@staff_app.command("bind")
def staff_bind(
    ctx: typer.Context,
    username: Annotated[
        str, typer.Argument(metavar="USERNAME", autocompletion=completion.usernames)
    ],
    db_role: DbRole = None,
    os_login: OsLogin = None,
    at: At = None,
    json_output: Json = False,
) -> None:
    """Bind a member of staff to a database role or an operating-system login (senior roles):
    a command run by it acts as them, and --as naming anyone else is refused. Give one of
    --db-role and --os-login; binding again replaces the one they had."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.change(
        lambda uow, when: services.bind_staff(
            uow,
            username=username,
            db_role=db_role,
            os_login=os_login,
            by=state.actor,
            at=when,
            now=state.now,
        ),
        at,
    )
    render.staff_changed(view, json_output, "Bound")


@staff_app.command("unbind")
def staff_unbind(
    ctx: typer.Context,
    username: Annotated[
        str, typer.Argument(metavar="USERNAME", autocompletion=completion.usernames)
    ],
    at: At = None,
    json_output: Json = False,
) -> None:
    """Take away a member's bindings to a database role and a login (senior roles)."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.change(
        lambda uow, when: services.unbind_staff(
            uow, username=username, by=state.actor, at=when, now=state.now
        ),
        at,
    )
    render.staff_changed(view, json_output, "Unbound")


@staff_app.command("list")
def staff_list(
    ctx: typer.Context,
    all_staff: Annotated[bool, typer.Option("--all", help="Include removed staff.")] = False,
    json_output: Json = False,
) -> None:
    """List staff: username, name, role, area, and the database role or login bound to
    them."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    views = state.read(lambda uow, _: services.list_staff(uow, include_removed=all_staff), None)
    render.staff_list(state.output, views, json_output, removed=all_staff)


@restrict_app.command("add")
def restrict_add(
    ctx: typer.Context,
    scope: Annotated[
        RestrictionScope,
        typer.Option(
            help="procedure: no new formal complaints; same-matter: none about one dispute "
            "(--dispute); contact: one channel (--channel) or one named officer (--via)."
        ),
    ],
    reason: Annotated[str, typer.Option(help="Why, as the consumer will be told in writing.")],
    email: Email = None,
    consumer_id: ConsumerId = None,
    dispute: Annotated[str | None, typer.Option(help="same-matter: the dispute.")] = None,
    channel: Annotated[
        Channel | None, typer.Option(help="contact: the one channel.", case_sensitive=False)
    ] = None,
    via: Annotated[
        str | None,
        typer.Option(
            metavar="USERNAME",
            help="contact: the named officer.",
            autocompletion=completion.usernames,
        ),
    ] = None,
    review: Annotated[
        str | None,
        typer.Option(
            callback=date_given,
            metavar="DATETIME",
            help="When to review it [default: 6 months on].",
        ),
    ] = None,
    at: At = None,
    json_output: Json = False,
) -> None:
    """Restrict a consumer (senior roles); its review is due 6 months later unless --review."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.change(
        lambda uow, when: services.restrict(
            uow,
            email=email,
            consumer_id=consumer_id,
            scope=scope,
            reason=reason,
            review=state.instant(review, uow.calendar().tz, due=True) if review else None,
            dispute=dispute,
            channel=channel,
            via=via,
            by=state.actor,
            at=when,
            now=state.now,
        ),
        at,
    )
    render.restriction_changed(view, json_output, "Restricted")


@restrict_app.command("list")
def restrict_list(
    ctx: typer.Context,
    all_restrictions: Annotated[bool, typer.Option("--all", help="Include lifted ones.")] = False,
    json_output: Json = False,
) -> None:
    """List restrictions in force (with --all, lifted ones too), with their review dates."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    views = state.read(
        lambda uow, _: services.list_restrictions(uow, include_lifted=all_restrictions), None
    )
    render.restriction_list(state.output, views, json_output, lifted=all_restrictions)


@restrict_app.command("lift")
def restrict_lift(
    ctx: typer.Context,
    restriction_id: Annotated[int, typer.Argument(metavar="ID", parser=whole_number(1))],
    reason: Annotated[str, typer.Option(help="Why it is lifted (e.g. the review's outcome).")],
    at: At = None,
    json_output: Json = False,
) -> None:
    """Lift a restriction (senior roles); its review clock stops."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.change(
        lambda uow, when: services.lift(
            uow,
            restriction_id=restriction_id,
            reason=reason,
            by=state.actor,
            at=when,
            now=state.now,
        ),
        at,
    )
    render.restriction_changed(view, json_output, "Lifted")


@restrict_app.command("review")
def restrict_review(
    ctx: typer.Context,
    restriction_id: Annotated[int, typer.Argument(metavar="ID", parser=whole_number(1))],
    next_review: Annotated[
        str,
        typer.Option(
            "--next", callback=date_given, metavar="DATETIME", help="When it is next reviewed."
        ),
    ],
    reason: Annotated[str, typer.Option(help="Why the restriction stays in place.")],
    at: At = None,
    json_output: Json = False,
) -> None:
    """Record a review that keeps a restriction (senior roles), and set the next review."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.change(
        lambda uow, when: services.review_restriction(
            uow,
            restriction_id=restriction_id,
            next_review=state.instant(next_review, uow.calendar().tz, due=True),
            reason=reason,
            by=state.actor,
            at=when,
            now=state.now,
        ),
        at,
    )
    render.restriction_changed(view, json_output, "Reviewed, kept")


@consumer_app.command("update")
def consumer_update(
    ctx: typer.Context,
    email: Email = None,
    consumer_id: ConsumerId = None,
    prefers: Annotated[
        ContactMethod | None,
        typer.Option(help="How they prefer to be contacted.", case_sensitive=False),
    ] = None,
    adjustment: Annotated[
        list[str] | None,
        typer.Option(
            help="Add a reasonable adjustment (large-print, text-relay, bsl, advocate, "
            "or your own words); repeat for several."
        ),
    ] = None,
    drop_adjustment: Annotated[
        list[str] | None, typer.Option(help="Remove an adjustment no longer needed.")
    ] = None,
    at: At = None,
    json_output: Json = False,
) -> None:
    """Record a consumer's preferred contact method and reasonable adjustments."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    result = state.change(
        lambda uow, when: services.update_consumer(
            uow,
            email=email,
            consumer_id=consumer_id,
            preferred_contact=prefers.value if prefers else None,
            add_adjustments=tuple(adjustment or ()),
            remove_adjustments=tuple(drop_adjustment or ()),
            by=state.actor,
            at=when,
            now=state.now,
        ),
        at,
    )
    render.consumer_changed(result, json_output)


@consumer_app.command("show")
def consumer_show(
    ctx: typer.Context,
    email: Email = None,
    consumer_id: ConsumerId = None,
    json_output: Json = False,
) -> None:
    """Show a consumer: their contact, preferred contact and adjustments, every restriction
    (in force and lifted), incidents, and each of their cases, most recent first."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.read(
        lambda uow, now: services.show_consumer(
            uow, email=email, consumer_id=consumer_id, as_of=now
        ),
        None,
    )
    render.consumer(state.output, view, json_output=json_output)


class ExportFormat(StrEnum):
    JSON = "json"
    HTML = "html"
    PDF = "pdf"


@consumer_app.command("export")
def consumer_export(
    ctx: typer.Context,
    output: Annotated[
        str, typer.Option("-o", "--output", metavar="FILE", help="The new file to write.")
    ],
    email: Email = None,
    consumer_id: ConsumerId = None,
    format: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            help="json (one document), html (to read or print) or pdf (the pdf extra) "
            "[default: by the file's extension, else json].",
        ),
    ] = None,
    at: At = None,
) -> None:
    """Export everything held about a consumer, for their subject-access request.

    Contact details and needs, every case with its whole history (who recorded each thing,
    and when), the contact log, the letters issued with their text, restrictions and
    incidents: as one JSON document, or a readable HTML or PDF. Written to a new file readable
    by you only; the export (who, when, the file's SHA-256, not its content) is recorded.
    """
    from pathlib import Path

    from complaintctl.cli import render
    from complaintctl.files import file_named, resolved

    file_named(output, "consumer export -o")  # not the folder it runs in, nor a file named -
    state = current_state(ctx)
    path = Path(output)

    def export(uow: "UnitOfWork", when: "datetime") -> tuple[str, int, str, str]:
        name, cases, digest, chosen, _ = _export(
            state, uow, when, path, format, email=email, consumer_id=consumer_id
        )
        return name, cases, digest, chosen

    name, cases, digest, chosen = state.change(export, at)
    render.note(
        f"Exported everything held about {name} ({cases} case{'s' if cases != 1 else ''}) to "
        f"{render.path_shown(resolved(path))} ({chosen}, sha256 {digest}); the export is "
        "recorded in the history"
    )


def _export(
    state: "State",
    uow: "UnitOfWork",
    when: "datetime",
    path: "Path",
    format: ExportFormat | None,
    *,
    email: str | None,
    consumer_id: int | None,
    then: "Callable[[int], object] | None" = None,
) -> tuple[str, int, str, str, int]:
    """Write everything held about a consumer to `path` and record the export (and, with
    `then`, what it answers, given the export's history entry, in the same transaction):
    their name, how many cases, the file's SHA-256, its format and the entry's id. The file
    is put in place once everything is checked and before the transaction commits, as a
    letter's is, and taken away again if it does not: a refusal, a file that cannot be put in
    place (a disk with no hard links) or a failed commit leaves neither file nor record."""
    import hashlib
    from contextlib import suppress

    from complaintctl import config, letters
    from complaintctl.files import staged
    from complaintctl.services.subject_access import record_export, subject_access
    from complaintctl.text import json_text

    chosen = format or {".html": ExportFormat.HTML, ".htm": ExportFormat.HTML}.get(
        path.suffix.lower(),
        ExportFormat.PDF if path.suffix.lower() == ".pdf" else ExportFormat.JSON,
    )
    loaded = state.config or config.load()
    data = subject_access(
        uow,
        email=email,
        consumer_id=consumer_id,
        templates=letters.Templates(loaded.templates()),
        by=state.actor,
        now=state.now,
    )
    if chosen == ExportFormat.JSON:
        content = (json_text(data) + "\n").encode("utf-8")
    else:
        html = letters.document("subject-access.html", data, uow.calendar())
        content = html.encode("utf-8") if chosen == ExportFormat.HTML else letters.to_pdf(html)
    digest = hashlib.sha256(content).hexdigest()
    # Never to stdout (a person's data is written to a file of its own): a device named is
    # refused as a file to name, not a stream to redirect.
    file = staged(path, content, protected=state.store_files(), streams=False)
    try:
        with uow.holding_commits():  # record_export's commit, or then's, only flushes
            entry = record_export(
                uow,
                consumer_id=data["consumer"]["id"],
                format=chosen.value,
                sha256=digest,
                by=state.actor,
                at=when,
                now=state.now,
            )
            if then is not None:
                then(entry)
        file.place(replace=False)
        uow.commit_held()
    except BaseException:
        if file.placed:  # not recorded: not kept (a new file of its own, never one there before)
            with suppress(FileNotFoundError):
                file.target.unlink()
        raise
    finally:
        file.discard()
    return data["consumer"]["name"], len(data["cases"]), digest, chosen.value, entry


sar_app = typer.Typer(
    cls=HelpGroup,
    help="Subject-access requests: open one as it arrives, extend it once, answer it with "
    "an export, and list those open with their due dates.",
    rich_markup_mode=None,
)
commands.add_typer(sar_app, name="sar")

SarId = Annotated[int, typer.Argument(metavar="ID", parser=whole_number(1))]


@sar_app.command("open")
def sar_open(
    ctx: typer.Context,
    received: Annotated[
        str,
        typer.Option(
            callback=date_given,
            metavar="DATETIME",
            help="When the request came in; its day counts, in or out of opening hours.",
        ),
    ],
    email: Email = None,
    consumer_id: ConsumerId = None,
    at: At = None,
    json_output: Json = False,
) -> None:
    """Record a subject-access request; it is due one calendar month after the day it was
    received (the next working day where that date is a weekend or bank holiday)."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.change(
        lambda uow, when: services.open_request(
            uow,
            email=email,
            consumer_id=consumer_id,
            received_at=state.instant(received, uow.calendar().tz),
            by=state.actor,
            at=when,
            now=state.now,
        ),
        at,
    )
    render.subject_access_changed(view, json_output, "Opened")


@sar_app.command("extend")
def sar_extend(
    ctx: typer.Context,
    sar_id: SarId,
    months: Annotated[
        int,
        typer.Option(
            metavar="N",
            parser=whole_number(0),
            help="1 or 2 further months, counted from receipt.",
        ),
    ],
    reason: Annotated[str, typer.Option(help="Why, as the person is told within the month.")],
    at: At = None,
    json_output: Json = False,
) -> None:
    """Extend a subject-access request once, by 1 or 2 months, within its first month
    (leaders and senior roles)."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.change(
        lambda uow, when: services.extend_request(
            uow,
            sar_id=sar_id,
            months=months,
            reason=reason,
            by=state.actor,
            at=when,
            now=state.now,
        ),
        at,
    )
    render.subject_access_changed(view, json_output, "Extended")


@sar_app.command("done")
def sar_done(
    ctx: typer.Context,
    sar_id: SarId,
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE",
            help="Export the person's data to this new file and answer with it, at once.",
        ),
    ] = None,
    format: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            help="With -o: json, html or pdf [default: by the file's extension, else json].",
        ),
    ] = None,
    export_entry: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            parser=whole_number(1),
            help="The history entry of the export sent [default: the latest for the person "
            "since the request was received that answered no other].",
        ),
    ] = None,
    at: At = None,
    json_output: Json = False,
) -> None:
    """Record a subject-access request answered by an export of the person's data, and
    whether it met its due. With -o, make the export and answer in one command."""
    from pathlib import Path

    from complaintctl import services
    from complaintctl.cli import render
    from complaintctl.errors import InvalidInput
    from complaintctl.files import resolved

    if output is not None and export_entry is not None:
        raise InvalidInput("-o makes the export the answer; --export-entry names one made before")
    if format is not None and output is None:
        raise InvalidInput("--format goes with -o FILE")
    if output is not None:
        from complaintctl.files import file_named

        file_named(output, "sar done -o")
    state = current_state(ctx)

    def answer(uow: "UnitOfWork", when: "datetime") -> "SubjectAccessView":
        def done(entry: int | None) -> "SubjectAccessView":
            return services.done_request(
                uow, sar_id=sar_id, export_entry=entry, by=state.actor, at=when, now=state.now
            )

        if output is None:
            return done(export_entry)
        request = services.show_request(uow, sar_id=sar_id, as_of=state.now)
        views: list[SubjectAccessView] = []
        _export(
            state,
            uow,
            when,
            Path(output),
            format,
            email=None,
            consumer_id=request.consumer_id,
            then=lambda entry: views.append(done(entry)),
        )
        return views[0]

    view = state.change(answer, at)
    if output is not None and not json_output:
        render.note(
            f"Exported {view.consumer}'s data to {render.path_shown(resolved(output))} "
            f"(sha256 {view.export_sha256})"
        )
    render.subject_access_changed(view, json_output, "Answered")


@sar_app.command("list")
def sar_list(
    ctx: typer.Context,
    open_only: Annotated[bool, typer.Option("--open", help="Only those not yet answered.")] = False,
    json_output: Json = False,
) -> None:
    """List subject-access requests, soonest due first, each with its state: open, overdue,
    done or done-late."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    views = state.read(
        lambda uow, _: services.list_requests(uow, open_only=open_only, as_of=state.now), None
    )
    render.subject_access_list(state.output, views, json_output, open_only=open_only)


@sar_app.command("show")
def sar_show(ctx: typer.Context, sar_id: SarId, json_output: Json = False) -> None:
    """Show a subject-access request: received, due, any extension, and its answer."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.read(
        lambda uow, _: services.show_request(uow, sar_id=sar_id, as_of=state.now), None
    )
    render.subject_access(view, json_output)


@consumer_app.command("erase")
def consumer_erase(
    ctx: typer.Context,
    reason: Annotated[str, typer.Option(help="Why, without their details: it stays on record.")],
    email: Email = None,
    consumer_id: ConsumerId = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be erased; write nothing.")
    ] = False,
    json_output: Json = False,
) -> None:
    """Erase a consumer on request (senior roles): their details and every case of theirs
    anonymised at once, where nothing requires keeping them. Refused (exit 5), naming each,
    while a case of theirs is open, a legal hold is on them, a restriction is in force, or
    something is still owed (an action not done, a subject-access request not answered, a
    referral window still open)."""
    from complaintctl import services
    from complaintctl.cli import render

    state = current_state(ctx)
    view = state.change(
        lambda uow, _: services.erase_consumer(
            uow,
            email=email,
            consumer_id=consumer_id,
            reason=reason,
            by=state.actor,
            now=state.now,
            dry_run=dry_run,
        ),
        None,
    )
    render.anonymised(view, json_output)
