"""Free text (data, file names, URL values) put into Streamlit's Markdown elements as text."""

from __future__ import annotations

import re
import string

# Every ASCII punctuation character may be backslash-escaped in CommonMark, and escaping them all
# stops links, images, emphasis, headings, lists, Streamlit's :icon: and :color[...] directives,
# $math$ and bare-URL autolinks alike.
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")


def plain(value: object) -> str:
    """`value` as text that Markdown shows literally (line breaks become spaces)."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(value).split()))
