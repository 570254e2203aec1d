"""The server's memory: what every script run shares is set aside from garbage collection.

Streamlit collects every generation after each script run (`runner.postScriptGC`), and Python
collects the oldest generation on its own every few runs. A full collection walks every object
the process holds; the libraries a dashboard imports (Streamlit, Plotly, Polars, DuckDB, SciPy)
are about 180,000 of them, and each collection took 120-230 ms of the interpreter lock on the
2-core reference machine, in which no session's script can run. Those objects live as long as
the process, so walking them finds nothing. Freezing them (`gc.freeze`) leaves each collection
only what sessions have made since.
"""

from __future__ import annotations

import gc
import sys

_frozen_at = 0  # how many modules were loaded at the last freeze


def settle() -> None:
    """At the start of a script run: freeze every object the process holds if modules have been
    imported since the last freeze (a page's first visit imports its own), else nothing.

    It runs after Streamlit's collection at the end of the previous run, so what it freezes is
    what that collection kept: the imported modules, the results cache and the sessions' state.
    A frozen object that later becomes garbage in a reference cycle is never collected; freezing
    only when a module is first imported (a handful of times in a process's life) bounds that to a
    few script runs' worth."""
    global _frozen_at
    if len(sys.modules) > _frozen_at:
        _frozen_at = len(sys.modules)
        gc.freeze()
