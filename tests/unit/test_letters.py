"""Letters' pure core: facts in words, HTML as plain text, and each template held to what its
kind must carry."""

from __future__ import annotations

import email
import email.policy
import os
import re
import tracemalloc
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from complaintctl.domain.letters import (
    COMMON,
    RULES,
    address_lines,
    date_words,
    pounds,
    remedy_words,
    required_items,
    time_words,
)
from complaintctl.errors import InvalidInput
from complaintctl.letters import (
    BUILT_IN,
    LONG_RUN,
    SAMPLE_FACTS,
    Templates,
    breakable,
    html_to_text,
    marked_facts,
    to_eml,
)
from tests.unreadable import unreadable

LONDON = ZoneInfo("Europe/London")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# -- facts in words ----------------------------------------------------------------------------


def test_a_date_is_written_out_without_a_leading_zero() -> None:
    assert ["Friday 4 December 2026", "Thursday 31 December 2026"] == [
        date_words(date(2026, 12, 4)),
        date_words(date(2026, 12, 31)),
    ]


@pytest.mark.parametrize(
    ("instant", "words"),
    [
        ("2026-12-04T12:00", "midday on Friday 4 December 2026"),
        ("2026-12-04T10:00", "10am on Friday 4 December 2026"),
        ("2026-12-04T17:30", "5:30pm on Friday 4 December 2026"),
        ("2026-12-04T12:05", "12:05pm on Friday 4 December 2026"),
        ("2026-12-04T09:07", "9:07am on Friday 4 December 2026"),
        # Summer: London is an hour ahead of UTC, so 11:00 UTC is midday there.
        ("2027-06-01T11:00", "midday on Tuesday 1 June 2027"),
        ("2027-06-01T16:30", "5:30pm on Tuesday 1 June 2027"),
        # A late evening in UTC is the next morning's first hour in London in summer.
        ("2027-06-30T23:30", "12:30am on Thursday 1 July 2027"),
        # The clocks go forward at 01:00 UTC on Sunday 28 March 2027: GMT before, BST after.
        ("2027-03-28T00:30", "12:30am on Sunday 28 March 2027"),
        ("2027-03-28T01:30", "2:30am on Sunday 28 March 2027"),
        # They go back at 01:00 UTC on Sunday 25 October 2026: 1:30am comes twice.
        ("2026-10-25T00:30", "1:30am on Sunday 25 October 2026"),
        ("2026-10-25T01:30", "1:30am on Sunday 25 October 2026"),
        ("2026-10-25T11:00", "11am on Sunday 25 October 2026"),
        # "12am on Friday" is read as either end of the day: a date agreed for 00:00 is not.
        ("2027-01-15T00:00", "midnight at the start of Friday 15 January 2027"),
        ("2027-06-30T23:00", "midnight at the start of Thursday 1 July 2027"),
    ],
)
def test_a_time_is_written_out_in_the_calendars_zone(instant: str, words: str) -> None:
    assert words == time_words(utc(instant), LONDON)


@pytest.mark.parametrize(
    ("pence", "words"),
    [
        (0, "£0.00"),
        (5, "£0.05"),
        (2550, "£25.50"),
        (125_000, "£1,250.00"),
        (123_456_789, "£1,234,567.89"),
    ],
)
def test_pounds_have_pence_and_thousands_separated(pence: int, words: str) -> None:
    assert words == pounds(pence)


def test_remedies_are_offered_in_words_with_the_goodwill_payment_in_pounds() -> None:
    assert [
        "an apology",
        "an explanation of what happened",
        "a goodwill payment of £1,250.00",
        "an improvement to our service, so that it does not happen again",
    ] == remedy_words(
        ["apology", "explanation", "goodwill-payment", "service-improvement"], 125_000
    )


def test_a_goodwill_payment_of_no_amount_yet_is_to_be_confirmed_and_others_pass_through() -> None:
    assert ["a goodwill payment of an amount to be confirmed", "a bunch of flowers"] == (
        remedy_words(["goodwill-payment", "a bunch of flowers"], None)
    )
    assert [] == remedy_words([], None)


@pytest.mark.parametrize(
    ("address", "lines"),
    [
        ("1 High Street\nWarrington\n\n  WA1 1AA  ", ["1 High Street", "Warrington", "WA1 1AA"]),
        ("1 High Street, Warrington ,WA1 1AA", ["1 High Street", "Warrington", "WA1 1AA"]),
        # Its own lines win: a comma within a line stays.
        ("Flat 2, 1 High Street\nWarrington", ["Flat 2, 1 High Street", "Warrington"]),
        ("", []),
        (None, []),
    ],
)
def test_an_address_is_laid_out_by_its_lines_or_else_its_commas(
    address: str | None, lines: list[str]
) -> None:
    assert lines == address_lines(address)


# -- HTML as plain text ------------------------------------------------------------------------


def test_blocks_are_separated_by_a_blank_line_and_br_breaks_a_line() -> None:
    html = (
        "<h1>Title</h1><p>One\n   paragraph,\tits  spaces folded.</p>"
        "<address>1 High Street<br>Warrington<br/>WA1 1AA</address><div>Last</div>"
    )
    assert (
        "Title\n\nOne paragraph, its spaces folded.\n\n1 High Street\nWarrington\nWA1 1AA\n\nLast\n"
    ) == html_to_text(html)


def test_list_items_are_bulleted_one_to_a_line_after_the_text_before_them() -> None:
    html = "<p>What we will do:</p><ul>\n <li>an apology</li>\n <li>a payment</li>\n</ul><p>End</p>"
    assert "What we will do:\n\n  - an apology\n  - a payment\n\nEnd\n" == html_to_text(html)


def test_the_head_style_title_and_script_are_not_text_and_entities_are_characters() -> None:
    html = (
        "<html><head><title>Secret title</title><style>p { color: red }</style></head>"
        "<body><script>var x = 1;</script><p>Fish &amp; chips &lt;b&gt; &pound;5</p>"
        "<!-- a comment --></body></html>"
    )
    assert "Fish & chips <b> £5\n" == html_to_text(html)


def test_paragraphs_wrap_at_72_columns_and_list_items_hang_under_their_bullet() -> None:
    words = " ".join(f"word{n}" for n in range(40))
    text = html_to_text(f"<p>{words}</p><ul><li>{words}</li></ul>")
    paragraph, item = text.rstrip("\n").split("\n\n")
    assert all(len(line) <= 72 for line in text.splitlines())
    assert words == " ".join(paragraph.split())
    lines = item.splitlines()
    assert lines[0].startswith("  - word0 ")
    assert all(line.startswith("    word") for line in lines[1:])


def test_wrapping_never_cuts_an_email_address_a_reference_or_a_link() -> None:
    """Wherever the line ends, `customer-relations@…` and `SC-2026-000008` stay whole: one
    cut at its hyphen reads as two words, and a long one runs past the width instead."""
    long_link = "https://example.org/" + "a" * 80
    whole = {"customer-relations@example.org", "SC-2026-000008", long_link}
    for fill in range(30, 72):
        text = html_to_text(
            f"<p>{'y' * fill} write to customer-relations@example.org about SC-2026-000008 "
            f"or see {long_link}</p><ul><li>{'y' * fill} customer-relations@example.org</li></ul>"
        )
        assert whole <= set(text.split()), text


def test_a_run_longer_than_long_run_characters_is_cut_into_lines_of_the_width() -> None:
    """The longest summary allowed as one word (a run of one letter, of accented letters, of
    wide characters) is cut into lines of the width, in a paragraph and under a bullet, rather
    than one line of 20,000 characters that a printer cuts off at the paper's edge; a run no
    longer than LONG_RUN (a link) is left whole, as above."""
    for character, columns in (("Q", 1), ("e\u0301", 1), ("\u6f22", 2), ("\U0001f600", 2)):
        run = character * (20_000 // len(character))
        text = html_to_text(f"<p>Before {run} after</p><ul><li>{run}</li></ul>")
        paragraph, item = text.rstrip("\n").split("\n\n")
        shown = [line.replace(character, "#" * columns) for line in text.splitlines()]
        assert all(len(line) <= 72 for line in shown), character
        assert paragraph.startswith("Before\n")
        joined = re.sub(f"(?<={character[-1]})\n(?={character[0]})", "", paragraph)
        assert ["Before", run, "after"] == joined.split()
        assert item.startswith("  - ")
        assert all(line.startswith("    ") for line in item.splitlines()[1:])
        assert run == "".join(line[4:] for line in item.splitlines())
    link = "https://example.org/" + "a" * (LONG_RUN - 20)
    assert f"{link}\n" == html_to_text(f"<p>{link}</p>")


# -- required content ------------------------------------------------------------------------


def test_the_marked_facts_put_a_mark_of_its_own_in_each_required_item() -> None:
    facts = marked_facts("final-response")
    assert facts["refer_by"] == "[[required:refer_by]]"
    assert facts["remedies"] == ["[[required:remedies]]"]
    assert facts["reference"] == "[[required:reference]]"
    # What the kind need not carry keeps its sample value.
    assert facts["area"] == SAMPLE_FACTS["area"]


def test_every_kind_requires_the_reference_and_the_consumers_name() -> None:
    assert all(required_items(kind)[: len(COMMON)] == COMMON for kind in RULES)
    assert ["area", "response_due"] == [
        item.name for item in required_items("acknowledgement")[len(COMMON) :]
    ]
    assert COMMON == required_items("apology-call")  # a kind of the organisation's own


@pytest.mark.parametrize("kind", list(RULES))
def test_every_built_in_template_carries_everything_its_kind_requires(kind: str) -> None:
    assert [] == Templates(None).missing(kind)
    Templates(None).check(kind)


def organisation_template(folder: Path, kind: str, old: str, new: str) -> None:
    """The organisation's template of `kind`: the built-in one with `old` made `new`."""
    source = (BUILT_IN / f"{kind}.html").read_text(encoding="utf-8")
    assert old in source
    (folder / f"{kind}.html").write_text(source.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(
    "hidden",
    [
        "soon",  # left out
        "<!-- {{ refer_by }} -->",  # in a comment no one reads
        '<span title="{{ refer_by }}"></span>',  # in an attribute
        "{{ refer_by[:4] }}",  # cut short
        # Hidden from a browser, and so from the PDF, though the text is in the page.
        "<span hidden>{{ refer_by }}</span>",
        '<span style="color: red; display : none">{{ refer_by }}</span>',
        '<span style="VISIBILITY:hidden"><b>{{ refer_by }}</b></span>',
        "<template><p>{{ refer_by }}</template>",
        "<noscript>{{ refer_by }}</noscript>",
    ],
)
def test_a_template_that_leaves_out_a_required_item_is_refused_naming_it(
    tmp_path: Path, hidden: str
) -> None:
    organisation_template(tmp_path, "final-response", "{{ refer_by }}", hidden)
    templates = Templates(tmp_path)
    assert ["refer_by"] == [item.name for item in templates.missing("final-response")]
    with pytest.raises(InvalidInput) as refused:
        templates.check("final-response")
    assert "final-response.html" in refused.value.message
    assert "{{ refer_by }}" in refused.value.message
    assert "the date by which to refer" in refused.value.message
    # The other kinds come from the built-in templates, and carry everything.
    assert [] == templates.missing("acknowledgement")


def test_what_follows_a_hidden_element_is_shown(tmp_path: Path) -> None:
    organisation_template(
        tmp_path,
        "final-response",
        "{{ refer_by }}",
        '<span hidden><img src="data:,"><br>note</span>{{ refer_by }}<input hidden>',
    )
    assert [] == Templates(tmp_path).missing("final-response")


def test_a_required_item_shown_in_capitals_still_counts(tmp_path: Path) -> None:
    organisation_template(
        tmp_path, "acknowledgement", "{{ area }}</strong>", "{{ area|upper }}</strong>"
    )
    assert [] == Templates(tmp_path).missing("acknowledgement")


def test_an_organisations_own_kind_needs_the_reference_and_the_name(tmp_path: Path) -> None:
    (tmp_path / "apology-call.html").write_text(
        '{% extends "letter.html" %}{% block body %}<p>We will call.</p>{% endblock %}',
        encoding="utf-8",
    )
    (tmp_path / "_partial.html").write_text("<p>not a kind</p>", encoding="utf-8")
    templates = Templates(tmp_path)
    assert [*RULES, "apology-call"] == templates.kinds()
    assert [] == templates.missing("apology-call")  # the layout carries both
    (tmp_path / "apology-call.html").write_text("<p>We will call.</p>", encoding="utf-8")
    assert ["reference", "consumer_name"] == [i.name for i in templates.missing("apology-call")]


def test_a_kind_not_among_the_templates_is_refused_naming_the_kinds() -> None:
    with pytest.raises(InvalidInput, match="no letter kind 'apology-call'; the kinds are ack"):
        Templates(None).known("apology-call")


def test_a_templates_folder_that_is_not_there_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no such folder"):
        Templates(tmp_path / "absent")
    (tmp_path / "letter.html").write_text("<p>A file</p>")
    with pytest.raises(InvalidInput, match="letter.html: a file, not a folder"):
        Templates(tmp_path / "letter.html")


def test_a_folder_named_as_a_template_is_refused_not_passed_over(tmp_path: Path) -> None:
    # The organisation's acknowledgement.html made a folder by mistake: silently using the
    # built-in letter instead would send words they never see.
    (tmp_path / "acknowledgement.html").mkdir()
    with pytest.raises(InvalidInput, match="acknowledgement.html is a folder, not a template"):
        Templates(tmp_path)


def test_a_template_that_is_a_broken_link_or_a_pipe_is_refused_as_what_it_is(
    tmp_path: Path,
) -> None:
    # A link left pointing at a template moved away is no folder: saying so would send the
    # organisation looking for a folder that is not there.
    (tmp_path / "acknowledgement.html").symlink_to(tmp_path / "moved" / "acknowledgement.html")
    with pytest.raises(InvalidInput, match="acknowledgement.html is a link to nothing") as err:
        Templates(tmp_path)
    assert "folder, not" not in str(err.value)
    (tmp_path / "acknowledgement.html").unlink()
    os.mkfifo(tmp_path / "final-response.html")
    with pytest.raises(InvalidInput, match="final-response.html is not a file"):
        Templates(tmp_path)


def test_a_templates_folder_that_cannot_be_read_is_refused_not_passed_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder the user may not list or search (mode 000, another user's): its templates
    cannot be read, which is said, never the built-in letters used instead of them."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "acknowledgement.html").write_text("<p>Our own words</p>")
    unreadable(monkeypatch, folder)

    with pytest.raises(InvalidInput) as refused:
        Templates(folder)

    assert f"templates folder {folder}: cannot be read (Permission denied)" == str(refused.value)


# A text doubled at each of 40 steps of a loop: `%s`, what it is doubled by.
DOUBLED = (
    '{%% set ns = namespace(s="x") %%}{%% for i in range(40) %%}{%% set ns.s = %s %%}'
    "{%% endfor %%}{{ ns.s|length }}"
)


@pytest.mark.parametrize(
    "excess",
    [
        '{{ "x" * 100000000000 }}',
        "{{ ['x'] * 100000000000 }}",
        "{{ 10 ** 100000000 }}",
        '{{ "%1000000000s" % "x" }}',
        '{{ "%1000000000s"|format("x") }}',
        '{{ "x"|center(1000000000) }}',
        '{{ "x"|indent(1000000000, true) }}',
        '{{ "x".ljust(1000000000) }}',
        '{{ "x".zfill(1000000000) }}',
        '{{ range(100000)|join("x" * 1000000) }}',
        '{{ ("x" * 1000000).join("y" * 100000) }}',
        '{{ ("x" * 100000)|replace("x", "y" * 100000) }}',
        '{{ ("x" * 100000).replace("x", "y" * 100000) }}',
        '{{ "{:>1000000000}".format("x") }}',
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
        '{% for i in "x" * 100000 %}{% for j in "x" * 100000 %}{% endfor %}{% endfor %}',
        "{% for i in range(100000) %}{{ summary * 1000 }}{% endfor %}",
        # A macro, or a recursive loop, calling itself twice over: no text, 2 ** 60 calls.
        "{% macro d(n) %}{% if n %}{{ d(n - 1) }}{{ d(n - 1) }}{% endif %}{% endmacro %}"
        "{{ d(60) }}",
        "{% for n in [60] recursive %}{% if n %}{{ loop([n - 1, n - 1]) }}{% endif %}{% endfor %}",
        # A width taken from the values, of a `%` format or a `{:{}}` field.
        '{{ "%*s" % (100000000, "x") }}',
        '{{ "%.*f" % (100000000, 1.5) }}',
        '{{ "%*s"|format(100000000, "x") }}',
        '{{ "{:{}}".format("x", 100000000) }}',
        '{{ "{:{w}}".format("x", w="100000000") }}',
        '{{ "{0:{1}{2}}".format("x", "1", "00000000") }}',
        '{{ "{a:{b}}".format_map({"a": "x", "b": 100000000}) }}',
        '{{ ("{0:1000000}" * 1000).format("x") }}',
        '{{ ("%s" * 1000) % (("x" * 1000000,) * 1000) }}',
        '{{ ("%(a)s" * 1000) % {"a": "x" * 1000000} }}',
        # A text doubled again and again, only its length printed: gigabytes in 40 steps.
        DOUBLED % "ns.s ~ ns.s",
        DOUBLED % "ns.s + ns.s",
        DOUBLED % "[ns.s, ns.s]|join",
        DOUBLED % '[ns.s, ns.s]|map("lower")|join',
        DOUBLED % '"".join([ns.s, ns.s])',
        DOUBLED % '"{}{}".format(ns.s, ns.s)',
        DOUBLED % '"%s%s" % (ns.s, ns.s)',
        DOUBLED % "ns.s|tojson",
        "{% macro twice(s) %}{{ s }}{{ s }}{% endmacro %}" + DOUBLED % "twice(ns.s)",
        '{% set ns = namespace(s="x") %}{% for i in range(40) %}'
        "{% set t %}{{ ns.s }}{{ ns.s }}{% endset %}{% set ns.s = t %}{% endfor %}"
        "{{ ns.s|length }}",
        # What a filter or a method puts into each line, word, tab or character of a text.
        '{{ ("\t" * 1000).expandtabs(1000000)|length }}',
        '{{ ("x" * 100000).translate({120: "y" * 100000})|length }}',
        '{{ ("\n" * 1000)|indent(1000000, blank=true)|length }}',
        '{{ ("\n" * 1000)|indent("y" * 1000000, blank=true)|length }}',
        '{{ ("x " * 1000)|wordwrap(1, wrapstring="y" * 1000000)|length }}',
        '{{ ("a.com " * 100000)|urlize(target="y" * 100000)|length }}',
    ],
)
def test_a_template_making_more_than_any_letter_is_refused_before_it_does(
    tmp_path: Path, excess: str
) -> None:
    """A template that would loop for hours or build a text of gigabytes (a typo in a number
    does it) is refused as it starts to, naming the template, rather than holding the command
    (and the machine's memory) until it is stopped."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "apology-call.html").write_text(
        f'{{% extends "letter.html" %}}{{% block body %}}<p>{excess}</p>{{% endblock %}}'
    )

    tracemalloc.start()
    try:
        with pytest.raises(InvalidInput, match=r"^template apology-call.html: .*at most"):
            Templates(folder).render("apology-call", SAMPLE_FACTS)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20  # bytes: refused before, not once it has made it


def test_a_template_within_the_limits_renders_as_before(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "apology-call.html").write_text(
        '{% extends "letter.html" %}{% block body %}<p>{{ "ab" * 3 }} {{ 2 ** 10 }} '
        '{{ "%05.1f" % 2.5 }} {{ "x"|center(5) }}|{{ "y".ljust(3) }}|'
        "{% for i in range(3) %}{{ i }}{{ '-' if not loop.last }}{% endfor %} {{ [1] * 2 }} "
        '{{ ["a", "b"]|join(", ") }} {{ "a-b"|replace("-", "+") }} {{ "{:>3}".format(7) }} '
        '{{ "{:,}".format(12345678) }} {{ 12345678|filesizeformat }} {{ 3000000|string }} '
        '{{ "%*d|%-*s|%.*f" % (4, 7, 3, "a", 2, 3.14159) }} {{ "%(a)s-%(b)s" % {"a": 1, "b": 2} }} '
        '{{ "{:{}}|{:>{w}}".format("x", 3, "y", w=4) }} '
        '{{ "{a:{b}}".format_map({"a": 1, "b": 3}) }} '
        '{{ "a" ~ 1 ~ "<" }} {{ ("<b>"|safe) ~ "<" ~ reference }} {{ "a" + "<" }} {{ [1] + [2] }} '
        '{{ ["a", "b"]|map("upper")|join("-") }} {{ "-".join(["a"]|map("upper")) }} '
        '{% set t %}<i>{{ "&" }}</i>{% endset %}{{ t }} {% macro m(s) %}[{{ s }}]{% endmacro %}'
        '{{ m("<") }} {{ "a\tb".expandtabs(4) }} {{ "ab".translate({97: "AA"}) }} '
        '{{ "a\nb"|indent(2, true) }} {{ "a b c"|wordwrap(1, wrapstring="/") }} '
        '{{ "see example.org"|urlize(target="_blank") }}'
        "</p>{% endblock %}"
    )

    html = Templates(folder).render("apology-call", SAMPLE_FACTS).html

    assert (
        "<p>ababab 1024 002.5   x  |y  |0-1-2 [1, 1] a, b a+b   7 12,345,678 12.3 MB 3000000 "
        "   7|a  |3.14 1-2 x  |   y   1 a1&lt; <b>&lt;SC-2026-000001 a&lt; [1, 2] A-B A "
        "<i>&amp;</i> [&lt;] a   b AAb   a\n  b a/b/c "
        'see <a href="https://example.org" rel="noopener" target="_blank">example.org</a></p>'
    ) in html


# -- the email message -----------------------------------------------------------------------


def eml_facts(**changes: Any) -> dict[str, Any]:
    return {**SAMPLE_FACTS, **changes}


def test_an_email_to_the_consumer_with_both_parts_parses_as_written() -> None:
    facts = eml_facts()
    html = Templates(None).render("acknowledgement", facts).html
    message = email.message_from_bytes(
        to_eml(facts, html, utc("2026-12-01T10:00")), policy=email.policy.default
    )
    assert ("Ann Smith", "ann@example.com") == (
        message["To"].addresses[0].display_name,
        message["To"].addresses[0].addr_spec,
    )
    assert "customer-relations@example.org" == message["From"].addresses[0].addr_spec
    assert "About your complaint (SC-2026-000001)" == message["Subject"]
    assert utc("2026-12-01T10:00") == message["Date"].datetime
    plain = message.get_body(("plain",)).get_content()
    assert "Casework" in plain
    assert "<p>" not in plain
    assert "<strong>Casework</strong>" in message.get_body(("html",)).get_content()


@pytest.mark.parametrize(
    "name",
    ["Ann\r\nBcc: evil@example.com", "Ann\nBcc: evil@example.com", "Ann\rBcc: evil@example.com"],
)
def test_a_line_break_in_a_name_cannot_add_a_header(name: str) -> None:
    facts = eml_facts(
        consumer_name=name,
        organisation={**SAMPLE_FACTS["organisation"], "name": f"Org\r\nX-Injected: {name}"},
    )
    raw = to_eml(facts, "<p>Hello</p>", utc("2026-12-01T10:00"))
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert None is message["Bcc"]
    assert None is message["X-Injected"]
    assert [["ann@example.com"], ["customer-relations@example.org"]] == [
        [a.addr_spec for a in message[header].addresses] for header in ("To", "From")
    ]
    assert "\n" not in message["To"].addresses[0].display_name
    assert not any(line.startswith((b"Bcc", b"X-Injected")) for line in raw.splitlines())


@pytest.mark.parametrize(
    ("kind", "shown"),
    [("Apology Call", "Apology-Call"), ("évil\x1b[2J\u202e", "-vil-2J-"), ("a<b>@c", "a-b-c")],
)
def test_a_kind_of_any_name_makes_a_whole_message_id(kind: str, shown: str) -> None:
    # A template's file name is the kind: `Apology Call.html` cut the Message-ID short.
    raw = to_eml(eml_facts(kind=kind), "<p>Hello</p>", utc("2026-12-01T10:00"))
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert raw.isascii()
    assert re.fullmatch(
        rf"<SC-2026-000001\.{re.escape(shown)}\.[0-9a-f]{{16}}@example\.org>",
        message["Message-ID"].strip(),
    )


def test_an_email_needs_the_consumers_address() -> None:
    with pytest.raises(InvalidInput, match="no email on record; use --format pdf or html"):
        to_eml(eml_facts(consumer_email=""), "<p>x</p>", utc("2026-12-01T10:00"))


def test_the_same_letter_is_the_same_email_bytes() -> None:
    facts = eml_facts()
    html = Templates(None).render("final-response", facts).html
    first = to_eml(facts, html, utc("2026-12-01T10:00"))
    assert first == to_eml(dict(facts), html, utc("2026-12-01T10:00"))
    assert first != to_eml(facts, html, utc("2026-12-01T10:01"))  # its Date differs


def test_a_long_run_with_no_space_is_given_a_break_point_every_long_run_characters() -> None:
    """Only in the text shown, a run longer than LONG_RUN characters, never inside an escaped
    character or between a letter and its accent; shorter runs, markup, the title and the
    style sheet are left as they are."""
    run = "x" * (LONG_RUN - 1) + "&amp;" + "e\u0301" + "y" * LONG_RUN + "z"
    sha = "f" * 64
    html = (
        f"<html><head><title>{run}</title><style>p {{ margin: 0 }}</style></head>"
        f'<body><p class="{run}">{sha} {run}</p><pre>{run}</pre></body></html>'
    )

    made = breakable(html)

    broken = "x" * (LONG_RUN - 1) + "&amp;<wbr>" + "e\u0301" + "y" * (LONG_RUN - 1) + "<wbr>yz"
    assert (
        f"<html><head><title>{run}</title><style>p {{ margin: 0 }}</style></head>"
        f'<body><p class="{run}">{sha} {broken}</p><pre>{broken}</pre></body></html>'
    ) == made
    assert made == breakable(made)  # once is enough: `<wbr>` is markup, left as it is
    ordinary = "<p>" + " ".join(["word"] * 2000) + "</p>"
    assert ordinary == breakable(ordinary)


def test_an_attribute_holding_a_long_run_and_a_raw_angle_bracket_is_left_whole() -> None:
    """An inline image as a `data:` URL (as templates are told to put them) is one attribute
    value, `>` and all: a `<wbr>` in it would break the image in every PDF letter. Only the
    text shown is given break points."""
    svg = "<svg xmlns='http://www.w3.org/2000/svg'><text>" + "A" * 2000 + "</text></svg>"
    image = f"<img alt='a > b' src=\"data:image/svg+xml;utf8,{svg}\">"
    run = "x" * (LONG_RUN + 1)

    made = breakable(f"<p>{image} {run} <a title = '>'>{run}</a></p>")

    broken = "x" * LONG_RUN + "<wbr>x"
    assert f"<p>{image} {broken} <a title = '>'>{broken}</a></p>" == made


@pytest.mark.parametrize(
    "character",
    [
        "\u0e01\u0e34",  # Thai: a consonant and its vowel sign
        "\u0628\u064e",  # Arabic: a letter and its vowel mark
        "\u0915\u094d\u0937",  # Devanagari: two consonants joined by a virama
        "\U0001f469\u200d\U0001f4bb",  # two emoji joined into one
        "\u2764\ufe0f",  # an emoji and its style
        "\U0001f44d\U0001f3fd",  # an emoji and its skin tone
        "\U0001f1ec\U0001f1e7",  # a flag: two regional letters
    ],
    ids=["thai", "arabic", "virama", "joined-emoji", "emoji-style", "skin-tone", "flag"],
)
def test_a_break_point_never_parts_a_character_of_many_code_points(character: str) -> None:
    """A `<wbr>` between a letter and its mark shows the mark on nothing (a dotted circle) and
    undoes the letters' joining: the break goes between whole characters only."""
    run = "x" + character * LONG_RUN

    made = breakable(f"<p>{run}</p>")

    assert f"<p>x{character * (LONG_RUN - 1)}<wbr>{character}</p>" == made
