"""Charts for the report's HTML, drawn by matplotlib as inline SVG: the only matplotlib.

matplotlib is the optional `charts` extra (pip install 'complaintctl[charts]'); without it
`available()` is False and the HTML has its tables and says how to add the charts. Each chart
takes plain numbers and labels, never the store's rows.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from complaintctl.domain.figures import as_percent

HOW_TO_ADD = (
    "Charts need matplotlib, the optional charts extra: pip install 'complaintctl[charts]' "
    "(or pipx inject complaintctl matplotlib), then make the report again."
)


def available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _svg(figure: Any) -> str:
    import matplotlib.pyplot as plt

    out = io.StringIO()
    # No date in its metadata: the same figures make the same page, whenever it is made.
    figure.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    text = out.getvalue()
    # Inline in the page: the XML declaration and doctype belong to a file of its own.
    return text[text.index("<svg") :]


def _axes(title: str) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")  # no display: the charts go into a file
    import matplotlib.pyplot as plt

    # SVG text as text (searchable, printable), a hash that does not change between runs.
    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "complaintctl"})
    figure, axes = plt.subplots(figsize=(6.4, 3.2))
    axes.set_title(title, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def bars(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]]) -> str:
    """Grouped bars: each of `series` (a name and a value per label) beside the others."""
    figure, axes = _axes(title)
    width = 0.8 / max(len(series), 1)
    for n, (name, numbers) in enumerate(series):
        places = [i + n * width for i in range(len(labels))]
        axes.bar(places, numbers, width, label=name)
    axes.set_xticks([i + width * (len(series) - 1) / 2 for i in range(len(labels))], labels)
    if len(series) > 1:
        axes.legend(frameon=False)
    return _svg(figure)


def shares(title: str, labels: Sequence[str], values: Sequence[float | None], target: float) -> str:
    """On-time shares as percentages, against the target drawn across them."""
    figure, axes = _axes(title)
    shown = [100 * v if v is not None else 0.0 for v in values]
    axes.bar(labels, shown, 0.6)
    axes.axhline(100 * target, linestyle="--", color="black", linewidth=1)
    axes.text(-0.4, 100 * target, f"target {target:.0%}", va="bottom", ha="left")
    axes.set_ylim(0, 105)
    axes.set_ylabel("% on time")
    for x, (value, height) in enumerate(zip(values, shown, strict=True)):
        label = "n/a" if value is None else f"{as_percent(value, 0)}%"
        axes.text(x, height, label, ha="center", va="bottom")
    return _svg(figure)


def trend(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]]) -> str:
    """Lines month by month."""
    figure, axes = _axes(title)
    for name, numbers in series:
        axes.plot(labels, numbers, marker="o", label=name)
    axes.set_ylim(bottom=0)
    axes.legend(frameon=False)
    return _svg(figure)
