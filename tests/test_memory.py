"""What the server has imported is set aside from garbage collection once, and again only when a
page's first visit has imported more: each collection walks what sessions made since."""

from __future__ import annotations

import gc
import sys
import types

from msoic.ui import memory


def test_the_server_s_objects_are_frozen_when_a_module_was_imported_since_the_last_freeze(monkeypatch):
    gc.unfreeze()
    monkeypatch.setattr(memory, "_frozen_at", 0)
    try:
        memory.settle()
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # the libraries imported by the test session
        made_since = [[i] for i in range(1_000)]
        memory.settle()  # no module imported since: nothing more is frozen
        assert gc.get_freeze_count() == frozen
        monkeypatch.setitem(sys.modules, "msoic_page_import", types.ModuleType("msoic_page_import"))
        memory.settle()
        assert gc.get_freeze_count() >= frozen + len(made_since)
    finally:
        gc.unfreeze()
