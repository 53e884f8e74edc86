"""Letters from their facts: sandboxed Jinja2 templates to HTML, and HTML to plain text, an
email message (RFC 5322) or a PDF (WeasyPrint, the `pdf` extra).

The only package that imports jinja2 and weasyprint. The organisation edits the templates, so
they run in Jinja's immutable sandbox, HTML autoescaped, every name they use defined (a typo is
an error, not a blank). Facts are plain data: a consumer's `{{ 7*7 }}` is text to print, never
a template to run. The same facts and the same templates make the same bytes, in every format.
"""

from __future__ import annotations

import hashlib
import os
import re
import textwrap
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from complaintctl import text
from complaintctl.domain.calendar import WorkingCalendar, format_due
from complaintctl.domain.letters import COMMON, RULES, Item, required_items
from complaintctl.domain.procedure import STANDING_DETAILS, due_detail
from complaintctl.errors import InvalidInput
from complaintctl.files import resolved
from complaintctl.letters.sandbox import TOO_MUCH, Excess, bounded, bounded_sandbox

BUILT_IN = Path(__file__).parent / "templates"
LAYOUT = "letter.html"  # the page every kind's template extends: addresses, date, signature

# Every fact a template may use, with the value `letter check` renders it with. The facts of a
# real letter have these keys exactly (services/letters.py), so a template that renders here
# renders for every case.
SAMPLE_FACTS: dict[str, Any] = {
    "kind": "acknowledgement",
    "subject": "About your complaint",
    "reference": "SC-2026-000001",
    "organisation": {
        "name": "Communications Ombudsman",
        "address_lines": ["3300 Daresbury Park", "Warrington", "WA4 4HS"],
        "email": "customer-relations@example.org",
        "phone": "0330 000 0000",
        "website": "https://example.org",
    },
    "consumer_name": "Ann Smith",
    "consumer_address_lines": ["1 High Street", "Warrington", "WA1 1AA"],
    "consumer_email": "ann@example.com",
    "summary": "No reply to my letters since October",
    "received_on": "Monday 30 November 2026",
    "letter_date": "Tuesday 1 December 2026",
    "issued_on": "Wednesday 2 December 2026",
    "signatory": "Customer Relations",
    "large_print": False,
    "area": "Casework",
    "response_due": "2pm on Thursday 3 December 2026",
    "new_date": "5pm on Friday 15 January 2027",
    "extension_reason": "We need records from the provider",
    "extended_stage": "first stage",
    "extended_response": "respond",
    "stage_name": "first stage",
    "decision": "partly upheld",
    "decision_code": "partly-upheld",
    "reasons": "We were slow to reply to your letters.",
    "remedies": ["an apology", "a goodwill payment of £50.00"],
    "how_to_escalate": "If you are not satisfied, tell us why and we will escalate it.",
    "how_to_refer": "Ask us to refer it to the Independent Assessor within 3 months.",
    "assessor_contact": "The Independent Assessor\nc/o Customer Relations",
    "refer_by": "4pm on Friday 2 April 2027",
    "out_of_scope_reason": "decision",
    "where_instead": "the decision-review route",
    "restriction_scope": "no new formal complaints",
    "restriction_reason": "Repeated abusive calls",
    "restriction_decided_on": "Tuesday 1 December 2026",
    "review_date": "Tuesday 1 June 2027",
}


@dataclass(frozen=True)
class Rendered:
    """A letter as HTML, with the templates it came from."""

    html: str
    template: str  # the kind's template file name
    origin: str  # "built-in", or the folder of the organisation's template
    template_sha256: str  # over every template the letter used, by name


@dataclass
class Templates:
    """The templates letters are made from: the organisation's folder first, then the built-in
    ones, template by template."""

    folder: Path | None = None
    _used: dict[str, tuple[str, str]] = field(default_factory=dict)  # name: (origin, source)

    def __post_init__(self) -> None:
        if self.folder is None:
            return
        # Read and named as every file or folder a command names (files.resolved): `nolet`,
        # `~/nolet` and the folder beside a config file named relative, each the full path
        # in its messages, in `letter check` and in a letter's recorded template_origin.
        self.folder = resolved(self.folder)
        try:
            if not self.folder.is_dir():
                what = "a file, not a folder" if self.folder.exists() else "no such folder"
                raise InvalidInput(f"templates folder {self.folder}: {what}")
            # Listed and looked in now: a folder that may not be (mode 000, another user's)
            # would otherwise be passed over quietly, its letters made from the built-in
            # templates instead.
            os.listdir(self.folder)
            with suppress(FileNotFoundError):
                os.stat(self.folder / LAYOUT)
            for path in sorted(self.folder.glob("*.html")):
                if not path.is_file():
                    if path.is_dir():
                        what = "is a folder, not a template"
                    elif not path.exists():
                        what = f"is a link to nothing ({os.readlink(path)}), not a template"
                    else:
                        what = "is not a file (a device or a pipe), not a template"
                    raise InvalidInput(f"templates folder {self.folder}: {path.name} {what}")
        except OSError as err:
            raise InvalidInput(
                f"templates folder {self.folder}: cannot be read ({err.strerror or err})"
            ) from None

    def kinds(self) -> list[str]:
        """The built-in kinds, then any the organisation adds (a template of a new name)."""
        added = []
        if self.folder is not None:
            added = sorted(
                path.stem
                for path in self.folder.glob("*.html")
                if path.name != LAYOUT and path.stem not in RULES and not path.name.startswith("_")
            )
        return [*RULES, *added]

    def known(self, kind: str, also: Iterable[str] = ()) -> str:
        """`kind` as the templates name it, or `also` (the kinds of the letters issued on a
        case, whose templates may be gone): as typed, or in another case where only one kind
        is so spelt (`Acknowledgement` is `acknowledgement`)."""
        kinds = self.kinds()
        kinds += sorted(set(also) - set(kinds))
        if kind in kinds:
            return kind
        alike = [one for one in kinds if one.casefold() == kind.casefold()]
        if len(alike) != 1:
            raise InvalidInput(f"no letter kind {kind!r}; the kinds are {', '.join(kinds)}")
        return alike[0]

    def origin(self, kind: str) -> tuple[str, str]:
        """The kind's template file, and where it comes from: the organisation's folder or
        the built-in templates."""
        name = f"{kind}.html"
        if self.folder is not None and (self.folder / name).is_file():
            return name, str(self.folder)
        return name, "built-in"

    def render(self, kind: str, facts: dict[str, Any]) -> Rendered:
        """The letter of `kind` from `facts`, as HTML."""
        import jinja2

        self._used = {}
        env = bounded_sandbox()(
            loader=jinja2.FunctionLoader(self._source),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            cache_size=0,  # every render loads (and so records) the templates it uses
            keep_trailing_newline=True,
        )
        env.filters["lines"] = lambda value: str(value).splitlines()
        # Random text would make the same letter different bytes each time it is made.
        del env.globals["lipsum"]
        name = f"{kind}.html"
        try:
            html = bounded(env.get_template(name).generate(facts))
        except (Excess, MemoryError) as err:
            excess = err if isinstance(err, Excess) else TOO_MUCH
            raise InvalidInput(f"template {name}: {excess}") from None
        except jinja2.TemplateSyntaxError as err:
            raise InvalidInput(
                f"template {err.name or name}, line {err.lineno}: {err.message}"
            ) from None
        except jinja2.TemplateNotFound as err:
            where = f"neither in {self.folder} nor built in" if self.folder else "not built in"
            raise InvalidInput(
                f"template {name}: it uses the template {err.name!r}, which is {where} "
                "(a template is a file's name in the templates folder)"
            ) from None
        except jinja2.TemplateError as err:
            raise InvalidInput(f"template {name}: {err}") from None
        except (
            ArithmeticError,
            AttributeError,
            TypeError,
            ValueError,
            LookupError,
            RecursionError,
        ) as err:
            # The template's own expressions failing as it runs ({{ 1/0 }}, a range the
            # sandbox refuses, a block that extends itself, a filter given a number where it
            # works on text: {{ 5|wordwrap }}): the organisation's text is wrong.
            raise InvalidInput(f"template {name}: {type(err).__name__}: {err}") from None
        digest = hashlib.sha256()
        for used, (_, source) in sorted(self._used.items()):
            digest.update(f"{used}\0{source}\0".encode())
        return Rendered(html, name, self._used[name][0], digest.hexdigest())

    def _source(self, name: str) -> tuple[str, str, Any] | None:
        for folder, origin in ((self.folder, "organisation"), (BUILT_IN, "built-in")):
            if folder is None:
                continue
            path = folder / name
            if path.name == name and path.is_file():
                try:
                    source = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as err:
                    raise InvalidInput(f"template {path}: cannot be read ({err})") from None
                self._used[name] = (str(folder) if origin == "organisation" else origin, source)
                return source, str(path), lambda: False
        return None

    def missing(self, kind: str, facts: dict[str, Any] | None = None) -> list[Item]:
        """What the kind's template leaves out of what the letter must carry: it is rendered
        with each required item as a mark of its own, and a mark not in the letter's text is
        missing (one only in a comment, an attribute or the page's head is read by no one).
        With a letter's own `facts`, its other facts are the case's, so an item the template
        shows only for some cases (`{% if organisation.phone %}`) is missing from this one."""
        marked = marked_facts(kind, facts)
        shown = html_to_text(self.render(kind, marked).html).casefold()
        return [item for item in required_items(kind) if _mark(item.name).casefold() not in shown]

    def check(self, kind: str, facts: dict[str, Any] | None = None, case: str = "") -> None:
        """Refuse a template that leaves out something its kind must carry (exit 2): in
        general, or (with a letter's `facts`) in the letter of `case`."""
        left_out = self.missing(kind, facts)
        if left_out:
            template, origin = self.origin(kind)
            named = "; ".join(f"{item.what} ({{{{ {item.name} }}}})" for item in left_out)
            which = f"{case}'s {kind} letter" if case else f"{_a(kind)} letter"
            then = (
                "it shows them for some cases and not for this one"
                if case
                else "letter check lists what each template lacks"
            )
            raise InvalidInput(
                f"template {template} ({origin}) leaves out what {which} must carry: "
                f"{named}; {then}"
            )


def _a(kind: str) -> str:
    """`an acknowledgement`, `a final-response`."""
    return f"{'an' if kind[:1].lower() in 'aeiou' else 'a'} {kind}"


def _mark(name: str) -> str:
    return f"[[required:{name}]]"


def marked_facts(kind: str, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The sample facts (or a letter's own), each of the kind's required items replaced by
    its mark."""
    facts = dict(SAMPLE_FACTS if base is None else base, kind=kind)
    for item in required_items(kind):
        facts[item.name] = [_mark(item.name)] if item.name == "remedies" else _mark(item.name)
    return facts


assert all(item.name in SAMPLE_FACTS for rule in RULES.values() for item in rule.required)
assert all(item.name in SAMPLE_FACTS for item in COMMON)


def document(name: str, data: dict[str, Any], calendar: WorkingCalendar) -> str:
    """One of the tool's own documents (not the organisation's: the built-in folder only),
    such as the subject-access export, as HTML, in the same sandbox as letters; its instants
    (ISO 8601 in the JSON document) as a person reads them, in the calendar's zone, and a
    due as `show` gives it on `calendar` (`format_due`: at a midnight close, that day's
    24:00)."""
    from functools import partial

    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(BUILT_IN),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        finalize=_shown,  # every value printed inert, as in a letter's facts
    )
    env.filters["words"] = partial(_words, calendar=calendar)
    env.filters["when"] = partial(_when, calendar=calendar)
    return env.get_template(name).render(data)


# An instant as the JSON documents write it (views.format_instant): 2026-12-31T16:00:00+00:00.
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)")


def _when(value: Any, *, calendar: WorkingCalendar, due: bool = False) -> Any:
    """An instant of a JSON document as a person reads it (`Thu 2026-12-31 16:00 GMT`), in the
    store's zone, a `due` as `show` gives it (`format_due`); anything else as it is."""
    if isinstance(value, str) and _INSTANT.fullmatch(value):
        return format_due(datetime.fromisoformat(value), calendar.tz, calendar if due else None)
    return value


def _shown(value: Any) -> Any:
    """A value a document prints: text with its acting characters written out visibly
    (already escaped HTML stays so: inert changes none of `&<>"'`)."""
    import markupsafe

    if isinstance(value, markupsafe.Markup):
        return markupsafe.Markup(text.inert(str(value), lines=True))
    return text.inert(value, lines=True) if isinstance(value, str) else value


def _words(
    value: Any, action: str | None = None, *, calendar: WorkingCalendar, due: bool = False
) -> str:
    """A value of a JSON document for a person: `key: value; …` for an object (a letter's
    recorded facts left out: its text is shown instead), items joined for a list, an instant
    as a person reads it, a due (`procedure.due_detail`) as `show` gives it. With a history
    entry's `action` (`e.details|words(e.action)`), a value it records as it now stands reads
    as none when empty (`STANDING_DETAILS`)."""
    if isinstance(value, dict):
        standing = STANDING_DETAILS.get(action or "", frozenset())
        return "; ".join(
            f"{key.replace('_', ' ')}: {_words(item, calendar=calendar, due=due_detail(key))}"
            if item not in (None, "", [], {})
            else f"{key.replace('_', ' ')}: none"
            for key, item in value.items()
            if (item not in (None, "", [], {}) or key in standing) and key != "facts"
        )
    if isinstance(value, list):
        return ", ".join(_words(item, calendar=calendar) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return text.inert(str(_when(value, calendar=calendar, due=due)), lines=True)


# -- formats -----------------------------------------------------------------------------------

_BLOCKS = frozenset(
    {
        *("address", "article", "blockquote", "div", "footer", "header", "main", "section"),
        *("h1", "h2", "h3", "h4", "p", "ol", "ul", "li", "table", "tr"),
    }
)
_HIDDEN = frozenset({"head", "style", "script", "title", "template", "noscript"})
# Elements with no end tag: one of them hidden hides nothing after it.
_VOID = frozenset(
    {
        *("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"),
        *("param", "source", "track", "wbr"),
    }
)
_NO_DISPLAY = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def _hides(attrs: list[tuple[str, str | None]]) -> bool:
    """An element a browser (and so its PDF) does not show: `hidden`, or hidden by its style."""
    return any(
        name == "hidden" or (name == "style" and _NO_DISPLAY.search(value or ""))
        for name, value in attrs
    )


_WHITESPACE = re.compile(r"\s+")
WIDTH = 72


class _TextOf(HTMLParser):
    """A letter's HTML as plain text: a blank line between blocks, `<br>` a new line, list
    items bulleted, paragraphs wrapped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, bool]] = []  # each block's text, and whether a list item
        self._run: list[str] = []
        self._hiding: list[str] = []  # the open elements from the one hiding what is in it
        self._item = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._hiding or tag in _HIDDEN or _hides(attrs):
            if tag not in _VOID:
                self._hiding.append(tag)
        elif tag == "br":
            self._run.append("\n")
        elif tag in _BLOCKS:
            self._end_block()
            self._item = tag == "li"

    def handle_endtag(self, tag: str) -> None:
        if self._hiding:
            if tag in self._hiding:  # closing it closes any left open inside it
                del self._hiding[len(self._hiding) - 1 - self._hiding[::-1].index(tag) :]
        elif tag in _BLOCKS:
            self._end_block()

    def handle_data(self, data: str) -> None:
        if not self._hiding:  # the source's own line breaks are spaces; <br> breaks a line
            self._run.append(_WHITESPACE.sub(" ", data))

    def _end_block(self) -> None:
        lines = [" ".join(line.split()) for line in "".join(self._run).split("\n")]
        self._run = []
        lines = [line for line in lines if line]
        if not lines:
            return
        if self._item:
            wrapped = _wrap(" ".join(lines), first="  - ", rest="    ")
        else:
            wrapped = [part for line in lines for part in _wrap(line)]
        self.blocks.append(("\n".join(wrapped), self._item))
        self._item = False


def _wrap(line: str, first: str = "", rest: str = "") -> list[str]:
    """A line wrapped at spaces only: a reference, an email address or a web address is never
    cut at its hyphens or in the middle (a long one runs past the width instead). A line
    holding a run with no space longer than `LONG_RUN` characters (no link: a consumer's one
    long word) is wrapped by `_wrap_run` instead."""
    words = line.split(" ")
    if any(len(word) > LONG_RUN for word in words):
        return _wrap_run(words, first, rest)
    return textwrap.wrap(
        line,
        WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,
        break_long_words=False,
    )


def _wrap_run(words: list[str], first: str, rest: str) -> list[str]:
    """`words` wrapped at the width in columns (a wide character is two), a word longer than
    `LONG_RUN` characters cut into lines of the width between whole characters, rather than
    one line of thousands of characters that a printer cuts off at the paper's edge."""
    room = WIDTH - max(len(first), len(rest))
    lines: list[str] = []
    line, used = first, 0  # the line so far, and the columns its words take
    for word in words:
        for piece in _pieces(word, room) if len(word) > LONG_RUN else [word]:
            width = _columns(piece)
            if used and used + 1 + width > room:
                lines.append(line)
                line, used = rest, 0
            line += f" {piece}" if used else piece
            used += width + 1 if used else width
    if used:
        lines.append(line)
    return lines


def _pieces(word: str, room: int) -> list[str]:
    """`word` in pieces `room` columns wide, between whole characters."""
    pieces, used = [""], 0
    for character in _characters(word):
        width = _columns(character)
        if used and used + width > room:
            pieces.append("")
            used = 0
        pieces[-1] += character
        used += width
    return pieces


def _columns(shown: str) -> int:
    """How many columns `shown` takes: two for a wide character (Chinese, an emoji), none for
    a mark on the one before, one for any other."""
    return sum(
        2
        if unicodedata.east_asian_width(c) in "WF"
        else 0
        if unicodedata.combining(c) or c == _JOINER
        else 1
        for c in shown
    )


def html_to_text(html: str) -> str:
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    parser._end_block()
    out = ""
    for index, (block, item) in enumerate(parser.blocks):
        if index:
            out += "\n" if item and parser.blocks[index - 1][1] else "\n\n"
        out += block
    return out + "\n"


def to_text(html: str) -> bytes:
    return html_to_text(html).encode("utf-8")


def _display(name: str) -> str:
    """A name for an address header, on one line. Python's email package decodes a name
    shaped as an RFC 2047 encoded word (`=?utf-8?q?…?=`) as it writes the header, so a line
    break encoded in it would start a header of its own: `=?` is kept from opening one."""
    return text.one_line(name).replace("=?", "= ?")


def _address(message: EmailMessage, header: str, name: str, email: str) -> None:
    """One address header: the name as its display name, the address. Python's email package
    drops a quoted name's quotes where it folds the line inside them (a long name with a comma,
    `<` or `"`), which makes the words around them addresses of their own: such a header is
    folded here instead, at the spaces inside the quotes, as RFC 5322 allows."""
    address = Address(_display(name), addr_spec=email)
    message[header] = address
    if _recipients(message, header) == [email]:
        return
    del message[header]
    quoted = '"' + address.display_name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    lines = [f"{header}:"]
    for word in [*quoted.split(" "), f"<{email}>"]:
        if len(lines[-1]) + 1 + len(word) > 78 and lines[-1].strip():
            lines.append("")
        lines[-1] += f" {word}"
    message.set_raw(header, "\r\n".join(lines).partition(": ")[2])
    if _recipients(message, header) != [email]:
        raise ValueError(f"the name {name[:40]!r}… does not fit an email's {header}: line")


def _recipients(message: EmailMessage, header: str) -> list[str]:
    """The addresses a mail program reads in a header as it will be written."""
    (stored,) = [value for name, value in message.raw_items() if name == header]
    value = SMTP.fold(header, stored).partition(":")[2].replace("\r\n", "")
    return [found.addr_spec for found in SMTP.header_factory(header, value).addresses]


_NOT_IN_MESSAGE_ID = re.compile(r"[^A-Za-z0-9._-]+")


def to_eml(facts: dict[str, Any], html: str, sent_at: datetime) -> bytes:
    """An RFC 5322 message to the consumer: the letter as plain text and as HTML, the
    reference in the subject, dated when it was issued. Its Message-ID and MIME boundary come
    from its content, so the same letter is the same bytes."""
    if not facts["consumer_email"]:
        raise InvalidInput(
            f"{facts['reference']}: the consumer has no email on record; "
            "use --format pdf or html for a letter by post"
        )
    organisation = facts["organisation"]
    plain = html_to_text(html)
    message = EmailMessage(policy=SMTP)
    if not organisation["email"]:
        raise InvalidInput(
            f"{facts['reference']}: the organisation has no email to send the letter from: "
            "set organisation.email in the config file, or use --format pdf or html"
        )
    addresses = (
        (
            "From",
            organisation["name"],
            organisation["email"],
            "from",
            "organisation.email in the config file",
        ),
        ("To", facts["consumer_name"], facts["consumer_email"], "to", "the consumer's email"),
    )
    for header, name, email, way, whose in addresses:
        try:
            if not email.isascii():
                raise ValueError("an email's header carries only ASCII addresses")
            _address(message, header, name, email)
        except (ValueError, IndexError, HeaderParseError) as err:
            why = f" ({err})" if isinstance(err, ValueError) else ""
            raise InvalidInput(
                f"{facts['reference']}: the email cannot be sent {way} {email!r}, {whose}{why}; "
                "use --format pdf or html"
            ) from None
    message["Subject"] = f"{facts['subject']} ({facts['reference']})"
    message["Date"] = format_datetime(sent_at)
    digest = hashlib.sha256(f"{facts['reference']}\0{plain}\0{html}".encode()).hexdigest()
    domain = organisation["email"].rpartition("@")[2] or "complaintctl.invalid"
    # A kind is a template's file name (`Apology Call.html`): in a Message-ID, only what one
    # carries whole.
    kind = _NOT_IN_MESSAGE_ID.sub("-", facts["kind"])
    message["Message-ID"] = f"<{facts['reference']}.{kind}.{digest[:16]}@{domain}>"
    message.set_content(plain)
    message.add_alternative(html, subtype="html")
    message.set_boundary(f"=_letter_{digest[16:40]}")
    return message.as_bytes()


PDF_MISSING = (
    "PDFs need WeasyPrint: pip install 'complaintctl[pdf]' (it uses the system's Pango "
    "library: on Debian or Ubuntu, apt install libpango-1.0-0 libpangoft2-1.0-0); "
    "--format html prints to PDF from any browser"
)


def pdf_available() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):  # OSError: the package is there, Pango is not
        return False
    return True


def to_pdf(html: str) -> bytes:
    """The PDF of `html`. A run of text with no space longer than `LONG_RUN` characters is
    given a break point (`<wbr>`) every `LONG_RUN` characters first: the PDF's text is the same
    (a line may end at one of them a few characters early), and WeasyPrint, which lays out the
    rest of a run again for each line it breaks off it, takes time growing with the run's
    length, not its square (a 20,000-character summary in a letter: 4 s, then 0.3 s; in the
    subject-access export's narrow column: 18 s, then under 1 s). HTML with no such run is
    laid out as it is, so its PDF is the same bytes as before."""
    try:
        import weasyprint
    except (ImportError, OSError):
        raise InvalidInput(PDF_MISSING) from None
    html = breakable(html)
    with _fixed_font_timestamps():
        result: bytes = weasyprint.HTML(string=html, url_fetcher=_fetcher()).write_pdf()
    return result


LONG_RUN = 512  # characters: a SHA-256, a link, a reference are left whole

# Markup and what is not shown (the title, the style sheet), kept as they are; the text between.
# A tag ends at the first `>` outside its quoted attribute values: an inline image's
# `src="data:image/svg+xml;utf8,<svg …>…"` is the tag's, every character of it.
_TAG = r"""<(?:=\s*"[^"]*"|=\s*'[^']*'|[^>])*+>"""
_NOT_TEXT = re.compile(rf"(<title\b.*?</title>|<style\b.*?</style>|<!--.*?-->|{_TAG})", re.S | re.I)
_RUN = re.compile(rf"\S{{{LONG_RUN + 1},}}")
# An escaped character (`&amp;`) or any one character: the units a run is cut between.
_UNIT = re.compile(r"&#?\w+;|.", re.S)
_JOINER = "\u200d"  # joins emoji into one (👩‍💻)
_REGIONAL = range(0x1F1E6, 0x1F200)  # two of these letters are one flag


def breakable(html: str) -> str:
    """`html` (escaped: its text holds no `<`) with a `<wbr>` after every `LONG_RUN` characters
    of a run of text with no space longer than that, in the text shown only."""
    parts = _NOT_TEXT.split(html)
    for i in range(0, len(parts), 2):  # even parts are text, odd ones markup
        parts[i] = _RUN.sub(_broken, parts[i])
    return "".join(parts)


def _broken(run: re.Match[str]) -> str:
    characters = _characters(run.group())
    return "<wbr>".join(
        "".join(characters[i : i + LONG_RUN]) for i in range(0, len(characters), LONG_RUN)
    )


def _characters(text: str) -> list[str]:
    """`text` as the reader sees its characters, each never parted: a letter with the marks
    on it (an accent, an Arabic or Thai vowel sign), a consonant joined to the next by a
    virama (Devanagari), an emoji with its skin tone, style or joined emoji, a flag's two
    letters; an escaped character is one."""
    characters: list[str] = []
    for unit in _UNIT.findall(text):
        if characters and _goes_on(characters[-1], unit):
            characters[-1] += unit
        else:
            characters.append(unit)
    return characters


def _goes_on(before: str, unit: str) -> bool:
    """Whether `unit` is part of the character `before` ends."""
    if len(unit) != 1:  # an escaped character starts one of its own
        return False
    last = before[-1]
    if last == _JOINER or unicodedata.combining(last) == 9:  # a joiner or a virama
        return True
    if unit == _JOINER or unicodedata.category(unit).startswith("M"):
        return True
    if 0xFE00 <= ord(unit) <= 0xFE0F or 0xE0100 <= ord(unit) <= 0xE01EF:  # variation selectors
        return True
    if 0x1F3FB <= ord(unit) <= 0x1F3FF:  # skin tones
        return True
    # A flag: the second of two regional letters (the first of a pair starts the character).
    return ord(unit) in _REGIONAL and len(before) == 1 and ord(last) in _REGIONAL


@contextmanager
def _fixed_font_timestamps() -> Iterator[None]:
    """The same HTML makes the same PDF bytes (an issued letter is made again to check it):
    where WeasyPrint subsets a font with fontTools (no HarfBuzz-Subset on the machine), the
    subset's `head` table is stamped with the time it was made, unless SOURCE_DATE_EPOCH
    says which time to use (the reproducible-builds convention, which fontTools follows).
    One the user set is kept."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = "0"
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def _fetcher() -> Any:
    """What fetches a template's images and styles: data: URLs only, inline in the template.
    An organisation's template never makes the tool read a file or the network into a letter;
    WeasyPrint leaves out (with a warning) what it may not fetch."""
    import weasyprint.urls

    fetcher = getattr(weasyprint.urls, "URLFetcher", None)
    if fetcher is not None:  # newer WeasyPrint: a fetcher object, told its protocols
        return fetcher(allowed_protocols={"data"}, allow_redirects=False, fail_on_errors=False)
    return _no_fetching  # older: a function, which returns a dict


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> Any:
    if url.startswith("data:"):
        import weasyprint

        return weasyprint.default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"letters do not fetch {url[:60]}: put it in the template as a data: URL")
