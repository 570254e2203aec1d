"""The README's test command is exactly what CI runs, so a green CI means the documented command passes."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def test_the_readme_test_command_is_the_ci_command():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"Run the lint and the tests[^\n]*\n\n```\n(.+?)\n```", readme, re.DOTALL)
    assert block, "the README has a test command block"
    ci = [
        line
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line and not line.startswith((" ", "#", "set ", "cd ", "if ", "fi", "export "))
    ]
    assert ci[-1] == block.group(1)
