"""Free text (data, file names, URL values) put into Streamlit's Markdown elements as text."""

from __future__ import annotations

import re
import string

# Every ASCII punctuation character may be backslash-escaped in CommonMark, and escaping them all
# stops links, images, emphasis, headings, lists, Streamlit's :icon: and :color[...] directives
# and $math$.
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
# Bare URLs and e-mail addresses are linked even when escaped (the browser test shows it), so an
# invisible word joiner breaks the pattern the linker looks for: after a scheme, "www" and "@".
_AUTOLINK = re.compile(r"(?i)(\b[a-z][a-z0-9+.\-]*(?=:)|\bwww(?=\.)|@)")
JOINER = "\u2060"


def plain(value: object) -> str:
    """`value` as text that Markdown shows literally, never as a link or image (line breaks
    become spaces)."""
    text = _AUTOLINK.sub(lambda m: m.group(1) + JOINER, " ".join(str(value).split()))
    return _PUNCTUATION.sub(r"\\\1", text)
