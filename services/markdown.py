"""Data shown inside Markdown stays text.

Streamlit renders ``st.markdown``, captions, titles and alerts as Markdown: a patient name, a
diagnosis text or a task note from a FHIR source that contains ``[x](https://…)`` or
``![](https://…)`` would render a link or load an image from anywhere, and a bare
``https://…`` or ``www.…`` becomes a link by itself (GitHub-flavoured autolinks). ``plain``
puts a backslash (CommonMark's escape) before every character that starts Markdown inline syntax,
Streamlit's directives (``:red[…]``, ``:material/…:``), LaTeX (``$``), HTML and entities, and
the dots and colons autolinks need; and before a leading ``-``, ``+``, ``=`` or ``#``, which start
a list or a heading only at the beginning of a line. Hyphens and commas inside a name stay as
they are.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["plain", "plain_lines"]

_INLINE = re.compile(r"([\\`*_{}\[\]<>()!|~:$&.])")
_BLOCK_START = re.compile(r"^([-+=#])")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def plain(value: object, missing: str = "–") -> str:
    """``value`` as Markdown that shows exactly its text; ``missing`` for no value."""
    # NaN is the one value unequal to itself.
    if value is None or value is pd.NA or value is pd.NaT or value != value:
        return missing
    # A line break inside data would start a new block (a heading, a list): keep it one line.
    text = _LINE_BREAKS.sub(" ", str(value))
    return _BLOCK_START.sub(r"\\\1", _INLINE.sub(r"\\\1", text.strip()))


def plain_lines(value: str) -> str:
    """Multi-line text (a letter) as Markdown that shows exactly its text, line by line: each
    line escaped as ``plain`` does, kept on its own line, an empty line a paragraph break."""
    paragraphs: list[list[str]] = [[]]
    for line in value.splitlines():
        if line.strip():
            paragraphs[-1].append(plain(line))
        elif paragraphs[-1]:
            paragraphs.append([])
    # Two trailing spaces end a Markdown line without starting a new paragraph.
    return "\n\n".join("  \n".join(lines) for lines in paragraphs if lines)
