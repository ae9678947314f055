"""Drawing a graph again with new numbers, without laying it out again.

Graphviz's time for a small drawing is the layout and the SVG it writes (a few ms in the
WebAssembly), while a training loop or a re-run cell draws the same graph again and again
with only its values and gradients changed. The WebAssembly Graphviz sizes text from a
table in which every digit has the same width, so two DOT texts that differ only in the
digits of their labels give the same layout, the same SVG but for those digits. So the SVG
of each graph drawn is kept (a few per process), under its DOT text with every label digit
made ``0``; a drawing whose masked text was drawn before is that SVG with each text element
given its own digits.

Every text element is checked against its label before it is changed (same node or edge,
same line, the same text but for digits): on any doubt the graph is rendered in full, so a
drawing is always the SVG Graphviz would have written for its own DOT text. A graph drawn
for the first time costs nothing more than its rendering: the work of reusing a layout is
done only when there is one to reuse.
"""

from __future__ import annotations

import functools
import re
import threading
from collections import OrderedDict
from collections.abc import Callable

__all__ = ["svg", "clear"]

_KEEP = 16  # drawings kept: a few graphs drawn in turn (a 1,000-node one is ~0.5 MB)
# A node or edge statement as to_dot writes it, with its label first.
_STMT = re.compile(r'^\t(\S+)(?: -> (\S+))? \[label="([^"\\]*(?:\\.[^"\\]*)*)"(.*)$')
# A group's start, its title, or a text element (escaped text has no "<").
_PIECE = re.compile(r'<g id="[^"]*" class="([a-z]+)">|<title>([^<]*)</title>'
                    r"|(<text\b[^>]*>)([^<]*)</text>")
_FIELD = re.compile(r"(?<!\\)\|")
# The label of a node or edge statement (one tab in: the graph's own statements and its
# clusters' are left as they are, so a change in their digits is a new layout).
_LABEL = re.compile(r'^(\t(?!graph |node |edge )\S+(?: -> \S+)? \[label=")'
                    r'([^"\\]*(?:\\.[^"\\]*)*)"', re.M)
_ZEROS = str.maketrans("123456789", "000000000")
_UNESCAPE = re.compile(r"\\(.)")

_lock = threading.Lock()
_kept: OrderedDict[str, str] = OrderedDict()


def clear() -> None:
    """Forget the layouts kept."""
    with _lock:
        _kept.clear()


@functools.lru_cache(maxsize=4096)  # the same lines come back in every drawing
def _xml(text: str) -> str:
    """Text as Graphviz's SVG writes it (xml_escape with its dash and space rules); a text
    with ``&`` is never substituted (Graphviz keeps entities as they are)."""
    out = (text.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
           .replace("'", "&#39;").replace("-", "&#45;"))
    return out.replace("  ", " &#160;") if "  " in out else out


def _lines(label: str, record: bool) -> list[str] | None:
    """The lines of text a label draws, in the order Graphviz writes them."""
    if "&" in label or "\\l" in label or "\\r" in label:
        return None
    fields = _FIELD.split(label) if record else [label]
    out: list[str] = []
    for field in fields:
        if record:
            field = re.sub(r"(?<!\\)[{}]", "", field)
        for line in field.split("\\n"):
            line = _UNESCAPE.sub(r"\1", line)
            if line.strip():
                out.append(line.strip() if record else line)
    return out


def _mask(dot: str) -> str:
    """``dot`` with the digits of its node and edge labels made ``0``: the same text for two
    drawings of one graph with other numbers."""
    return _LABEL.sub(lambda m: m.group(1) + m.group(2).translate(_ZEROS) + '"', dot)


def _labels(dot: str) -> dict[str, list[str]] | None:
    """Each node's and edge's label lines by the title Graphviz gives it in the SVG; None
    when the text is not the kind to_dot writes."""
    labels: dict[str, list[str]] = {}
    for line in dot.split("\n"):
        if "label=" not in line or line.startswith("\tgraph"):
            continue
        m = _STMT.match(line)
        if m is None:
            return None
        src, dst, label, rest = m.groups()
        title = src if dst is None else f"{_xml(src)}&#45;&gt;{_xml(dst)}"
        lines = _lines(label, dst is None and 'record"' in rest)
        if lines is None or title in labels:
            return None  # a text we cannot check, or two edges with one title
        labels[title] = lines
    return labels


def _fill(kept_svg: str, labels: dict[str, list[str]]) -> str | None:
    """The SVG of another drawing of the graph with each label's own text; None if any
    text is not as expected. One pass over the SVG: a group's class and title, then the
    texts that follow them."""
    out: list[str] = []
    at = 0
    lines: list[str] = []
    used = 0
    checked = False  # in a node's or edge's group (the graph's own text is not masked)
    for m in _PIECE.finditer(kept_svg):
        kind, title, text = m.group(1), m.group(2), m.group(4)
        if kind is not None:
            if checked and used != len(lines):
                return None
            checked = kind in ("node", "edge")
            lines, used = [], 0
        elif title is not None:
            if checked:  # an edge with no label has no text to give back
                lines = labels.get(title, [])
        elif checked:
            if used >= len(lines):
                return None
            line = lines[used]
            used += 1
            # Escaped, then masked: the same text but for its digits (an entity's digits
            # too, as &#45;: the characters they stand for are the same by the DOT text).
            new = _xml(line)
            if new.translate(_ZEROS) != text.translate(_ZEROS):
                return None
            out.append(kept_svg[at:m.start(4)])
            out.append(new)
            at = m.end(4)
    if checked and used != len(lines):
        return None
    out.append(kept_svg[at:])
    return "".join(out)


def svg(dot: str, render: Callable[[str], str]) -> str:
    """The SVG of ``dot`` (DOT text from to_dot): ``render(dot)``, or the kept SVG of a
    graph that differs from it only in the digits of its labels, given its digits."""
    masked = _mask(dot)
    with _lock:
        kept = _kept.get(masked)
        if kept is not None:
            _kept.move_to_end(masked)
    if kept:
        labels = _labels(dot)
        out = None if labels is None else _fill(kept, labels)
        if out is not None:
            return out
    out = render(dot)
    with _lock:
        # A layout that could not be reused once never can (the text differs from the
        # other drawings only in digits): "" marks it, so it is rendered without trying.
        _kept[masked] = "" if kept is not None else out
        _kept.move_to_end(masked)
        while len(_kept) > _KEEP:
            _kept.popitem(last=False)
    return out
