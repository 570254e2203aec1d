"""What the pages ask the database: each page run headless under Streamlit's AppTest with a
recording wrapper around the query runner, so the bench times the questions users really get."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from streamlit.testing.v1 import AppTest

import queries
from msoic import db
from msoic.ui import data

APP = db.ROOT / "app.py"

# (page title, script, URL parameters of the page's own controls): every page that reads the
# database, at its defaults, and the controls that change what it asks (Trends' split, the
# view that asks by lead agency, the Operations search and a chosen operation, every tab that asks a question of its own: only the
# open tab is computed).
VISITS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("Overview", "views/overview.py", {}),
    ("Trends", "views/trends.py", {}),
    # split by region, the nation's row; as a rate, the populations
    ("Trends", "views/trends.py", {"split": "region", "unit": "Per 100,000 population"}),
    ("Trends", "views/trends.py", {"view": "Change on a year before"}),  # like for like, by lead agency
    ("Victims", "views/victims.py", {}),
    *(
        ("Victims", "views/victims.py", {"victims_section": tab})
        for tab in (
            "Nationalities",
            "Growing this year",
            "Exploitation",
            "NRM referral",
            "Against the nation",
        )
    ),
    ("Offenders", "views/offenders.py", {}),
    *(
        ("Offenders", "views/offenders.py", {"offenders_section": tab})
        for tab in ("Who they are", "Victims also offenders")
    ),
    ("Operations", "views/operations.py", {}),
    ("Operations", "views/operations.py", {"search": "OCG-0"}),
    ("Operations", "views/operations.py", {"operation": "{busiest}"}),
    (
        "Operations",
        "views/operations.py",
        {"operation": "OP-00000000"},
    ),  # a link it does not list: scope checked
    ("Benchmark", "views/benchmark.py", {}),
    *(
        ("Benchmark", "views/benchmark.py", {"bench_section": tab})
        for tab in (
            "Who stands out",
            "Action plan",
            "Rates and ranks",
            "On the period before",
            "Other regions",
        )
    ),
    ("Data", "views/data.py", {}),
)


@dataclass(frozen=True)
class Question:
    """One call of the runner as a page made it: queries.run(con, name, *args, **kwargs)."""

    page: str
    name: str
    args: tuple
    kwargs: tuple  # sorted (key, value) pairs

    def ask(self, con):
        """Ask it again on `con`."""
        return queries.run(con, self.name, *self.args, **dict(self.kwargs))


def record(db_path: Path, view: dict[str, list[str]], busiest: str = "") -> list[Question]:
    """Every distinct question the pages ask of `db_path` at the sidebar view `view` (URL query
    parameters; {} for the default), in the order first asked, with the page that asked it
    (`busiest`: the operation the Operations page is opened on)."""
    asked: dict[tuple, Question] = {}
    real, asking = queries.bind, {"page": ""}

    def recording(name, *args, **kwargs):  # every question a page asks is bound first (msoic.ui.data)
        question = Question(asking["page"], name, args, tuple(sorted(kwargs.items())))
        asked.setdefault((name, repr(args), repr(question.kwargs)), question)
        return real(name, *args, **kwargs)

    previous = {name: os.environ.get(name) for name in ("MSOIC_DB", "MSOIC_AUDIT")}
    os.environ["MSOIC_DB"] = str(db_path)
    trail = (
        tempfile.TemporaryDirectory()
    )  # the recorder is nobody: its page views stay out of the audit trail
    os.environ["MSOIC_AUDIT"] = str(Path(trail.name) / "audit.sqlite")
    queries.bind = recording
    try:
        for title, script, params in VISITS:
            data.forget()  # every page asks afresh, as on its first visit
            at = AppTest.from_file(str(APP), default_timeout=600)
            for key, values in view.items():
                at.query_params[key] = values
            for key, value in params.items():
                at.query_params[key] = value.format(busiest=busiest)
            asking["page"] = VISITS[0][0]  # the first run opens the default page, Overview
            at.run()
            asking["page"] = title
            at.switch_page(script)
            at.run()
            if at.exception:
                raise RuntimeError(f"{title} failed under AppTest: {[e.value for e in at.exception]}")
    finally:
        queries.bind = real
        trail.cleanup()
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return list(asked.values())
