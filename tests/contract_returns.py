"""Returns written from published-style cross-tabulations, for the contract v2 tests."""

from __future__ import annotations

from pathlib import Path

import polars as pl

V1_VICTIMS = [
    "Victim ID",
    "Person reference",
    "Operation ID",
    "Identified on",
    "Sex",
    "Age group",
    "Nationality",
    "Exploitation type",
    "NRM referred",
    "NRM referred on",
]
V1_OFFENDERS = [
    "Offender ID",
    "Person reference",
    "Operation ID",
    "Sex",
    "Age group",
    "Nationality",
    "Role",
    "Arrested on",
    "Charged on",
    "Charge offence",
    "Convicted on",
]
OPERATIONS = [
    "Operation ID",
    "Codename",
    "Lead agency",
    "Force area",
    "Crime type",
    "Opened on",
    "Closed on",
    "OCG reference",
    "County lines",
    "Month",
    "Status",
    "Stage",
]


def write_return(
    folder: Path,
    agency: str,
    month: str,
    operations: list[dict],
    victims: list[dict],
    offenders: list[dict] | None = None,
) -> list[Path]:
    """Three CSV sheets named <agency>_<YYYY-MM>_<sheet>.csv; a row's missing columns are blank,
    and a column no row gives is left out (as a return in an older format would)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for sheet, rows, base in (
        ("operations", operations, OPERATIONS),
        ("victims", victims, V1_VICTIMS),
        ("offenders", offenders or [], V1_OFFENDERS),
    ):
        extra = [k for r in rows for k in r if k not in base]
        headers = base + list(dict.fromkeys(extra))
        frame = pl.DataFrame(
            [{h: r.get(h, "") for h in headers} for r in rows], schema={h: pl.String for h in headers}
        )
        path = folder / f"{agency}_{month}_{sheet}.csv"
        frame.write_csv(path)
        paths.append(path)
    return paths


def operation(op_id: str, agency: str, force: str, crime: str = "criminal", month: str = "2026-01") -> dict:
    """One live operation's row, opened on the first of `month`."""
    return {
        "Operation ID": op_id,
        "Codename": f"Operation {op_id}",
        "Lead agency": agency,
        "Force area": force,
        "Crime type": crime,
        "Opened on": f"{month}-01",
        "County lines": "no",
        "Month": month,
        "Status": "live",
        "Stage": "investigation",
    }


def victims_from(crosstab: dict[tuple, int], op_id: str, prefix: str, month: str = "2026-01") -> list[dict]:
    """Victim rows for each cell (exploitation, age, sex, nationality, second nationality) -> count."""
    rows = []
    for (exploitation, age, sex, nat, nat2), n in crosstab.items():
        for _ in range(n):
            i = len(rows) + 1
            row = {
                "Victim ID": f"{prefix}-{i}",
                "Person reference": f"{prefix}-P{i}",
                "Operation ID": op_id,
                "Identified on": f"{month}-10",
                "Sex": sex,
                "Age group": age,
                "Nationality": nat,
                "Exploitation type": exploitation,
                "NRM referred": "no",
            }
            if nat2 is not None:
                row["Second nationality"] = nat2
            rows.append(row)
    return rows
