"""The bench times what the pages really ask: the questions are recorded from the pages run
headless, so a question a page adds is benched without anyone listing it."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def named_in(script: str) -> set[str]:
    """The questions a page script names literally in data.run("...")."""
    return set(re.findall(r'data\.run\(\s*"(\w+)"', (ROOT / script).read_text()))


def test_every_page_is_recorded_with_every_question_it_asks(db_path, last_month):
    from msoic import bench, db
    from msoic.ui import page_questions

    con = db.connect_readonly(db_path)
    busiest = bench._busiest_operation(con, last_month)
    con.close()
    questions = page_questions.record(db_path, {}, busiest=busiest)
    assert {q.page for q in questions} == {title for title, _, _ in page_questions.VISITS}
    recorded = {q.name for q in questions}
    for _, script, _ in page_questions.VISITS:
        assert named_in(script) <= recorded, script
    assert {"scorecard_returns", "scorecard_victims"} <= recorded, "questions named through a variable too"
    searches = {dict(q.kwargs).get("search") for q in questions if q.name == "operations_list"}
    # The busiest operation, named by a link, is looked up by its id when it is on another page.
    assert searches - {busiest} == {"", "OCG-0"}
    people = [q for q in questions if q.name == "operation_people"]
    assert [dict(q.kwargs)["operation_id"] for q in people] == [busiest]
