"""The access list the unit maintains: who (an email, an IdP subject or an IdP group) holds which grants.

The list is a CSV or TOML file named by $MSOIC_ACCESS (the README shows both). Every line is checked
when the list is loaded, and a bad one refuses the whole list with the file, the line and the reason:
an unknown role, or an area that is not a region, force or agency of the kind the role names, never
falls back to a national scope.
"""

from __future__ import annotations

import csv
import functools
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from msoic import reference
from msoic.auth import ROLES, Grant

ENV = "MSOIC_ACCESS"
COLUMNS = ("who", "role", "area")
GROUP, SUBJECT, EMAIL = "group", "subject", "email"
# An email: something, one @, a domain with a dot; anything else must say subject: or group:.
_EMAIL = re.compile(r"^[^@\s:]+@[^@\s]+\.[^@\s]+$")
_GRANT_TABLE = re.compile(r"^\s*\[\[\s*(grant|\"grant\"|'grant')\s*\]\]")


class AccessError(ValueError):
    """The access list cannot be used; the message names the file, the line and the reason."""


@dataclass(frozen=True)
class Entry:
    """One line of the list: who it names (kind email, subject or group, and the value), the grant it
    gives, and the line it is on."""

    kind: str
    who: str
    grant: Grant
    line: int


@dataclass(frozen=True)
class AccessList:
    """The checked entries of one access list file."""

    source: Path
    entries: tuple[Entry, ...]

    @classmethod
    def load(cls, path: Path) -> AccessList:
        """Read and check the list at `path` (.csv or .toml); raise AccessError on the first bad line."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".csv", ".toml"):
            raise AccessError(f"{path}: an access list must be a .csv or .toml file.")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise AccessError(f"{path}: the access list does not exist.") from None
        except (OSError, UnicodeDecodeError) as error:
            raise AccessError(f"{path}: the access list cannot be read ({error}).") from error
        rows = _csv_rows(path, text) if suffix == ".csv" else _toml_rows(path, text)
        entries: list[Entry] = []
        seen: dict[tuple[str, str, Grant], int] = {}
        for line, who, role, area in rows:
            entry = _entry(path, line, who, role, area)
            key = (entry.kind, entry.who, entry.grant)
            if key in seen:
                raise AccessError(f"{path}, line {line}: repeats the grant on line {seen[key]}.")
            seen[key] = line
            entries.append(entry)
        return cls(path, tuple(entries))

    def grants_for(
        self, email: str | None, subject: str | None, groups: Iterable[str] = ()
    ) -> tuple[Grant, ...]:
        """Every grant the list gives a person known by `email` (any case), IdP `subject` or IdP
        `groups`, in list order without repeats; none when nothing matches."""
        email = email.strip().casefold() if email else None
        group_names = {g for g in groups if g}
        found: list[Grant] = []
        for e in self.entries:
            match = (
                (e.kind == EMAIL and e.who == email)
                or (e.kind == SUBJECT and e.who == subject)
                or (e.kind == GROUP and e.who in group_names)
            )
            if match and e.grant not in found:
                found.append(e.grant)
        return tuple(found)

    def to_frame(self) -> pl.DataFrame:
        """The list as a table: who, kind, role, area, line (for the Administrator page)."""
        return pl.DataFrame(
            {
                "who": [e.who for e in self.entries],
                "kind": [e.kind for e in self.entries],
                "role": [e.grant.role for e in self.entries],
                "area": [e.grant.area for e in self.entries],
                "line": [e.line for e in self.entries],
            },
            schema={
                "who": pl.String,
                "kind": pl.String,
                "role": pl.String,
                "area": pl.String,
                "line": pl.Int64,
            },
        )


def from_environment() -> AccessList | None:
    """The list named by $MSOIC_ACCESS, loaded and checked; None when the variable is unset or empty.

    Every rerun asks for it, so a list is read and checked once for each version of the file (its
    modification time and size): an edit takes effect at the next rerun."""
    value = os.environ.get(ENV, "").strip()
    if not value:
        return None
    path = Path(value)
    try:
        stat = path.stat()
    except OSError:  # not there or not readable: loading it says so in a sentence
        return AccessList.load(path)
    return _load_version(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _load_version(path: Path, mtime_ns: int, size: int) -> AccessList:
    return AccessList.load(path)


def _csv_rows(path: Path, text: str) -> list[tuple[int, str, str, str]]:
    """(line, who, role, area) of each data line of a CSV list with the header who,role,area."""
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = next(reader, None)
        if header is None or tuple(h.strip().lower() for h in header) != COLUMNS:
            raise AccessError(
                f"{path}, line 1: the header must be {','.join(COLUMNS)} "
                f"(found {','.join(header or []) or 'nothing'})."
            )
        rows = []
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
                continue  # blank lines and comments
            if len(cells) != len(COLUMNS):
                raise AccessError(
                    f"{path}, line {line}: expected 3 cells (who, role, area), found {len(cells)}; "
                    "leave area empty but keep its comma for a role without an area."
                )
            rows.append((line, *cells))
        return rows
    except csv.Error as error:
        raise AccessError(f"{path}, line {reader.line_num}: not valid CSV ({error}).") from error


def _toml_rows(path: Path, text: str) -> list[tuple[int, str, str, str]]:
    """(line, who, role, area) of each [[grant]] table of a TOML list."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise AccessError(f"{path}: not valid TOML ({error}).") from error
    extra = set(document) - {"grant"}
    if extra:
        raise AccessError(
            f"{path}: unknown section {', '.join(sorted(extra))}; the list holds only [[grant]] tables."
        )
    grants = document.get("grant", [])
    lines = [n for n, text_line in enumerate(text.splitlines(), start=1) if _GRANT_TABLE.match(text_line)]
    if not isinstance(grants, list) or len(lines) != len(grants):
        raise AccessError(f"{path}: write each grant as its own [[grant]] table (who, role, area).")
    rows = []
    for line, grant in zip(lines, grants):
        unknown = set(grant) - set(COLUMNS)
        if unknown:
            raise AccessError(
                f"{path}, line {line}: unknown key {', '.join(sorted(unknown))} "
                f"(a grant has {', '.join(COLUMNS)})."
            )
        values = {k: grant.get(k, "") for k in COLUMNS}
        for key, value in values.items():
            if not isinstance(value, str):
                raise AccessError(f"{path}, line {line}: {key} must be text in quotes, not {value!r}.")
        rows.append((line, values["who"], values["role"], values["area"]))
    return rows


def _entry(path: Path, line: int, who: str, role: str, area: str) -> Entry:
    """One checked entry; AccessError naming the line when who, role or area is wrong."""
    where = f"{path}, line {line}"
    who, role, area = who.strip(), role.strip().lower(), area.strip().lower()
    kind, name = _who(where, who)
    if role not in ROLES:
        raise AccessError(f"{where}: unknown role {role!r}; the roles are {', '.join(ROLES)}.")
    needs = ROLES[role]
    if needs is None:
        if area:
            raise AccessError(
                f"{where}: the role {role} covers the whole country and takes no area "
                f"(found {area!r}); leave area empty."
            )
        return Entry(kind, name, Grant(role), line)
    if not area:
        if needs == "agency or none":
            return Entry(kind, name, Grant(role), line)  # a national data manager
        raise AccessError(f"{where}: the role {role} needs an area: {_AREA_WORDS[needs]}.")
    known = _areas(needs)
    if area not in known:
        raise AccessError(
            f"{where}: {area!r} is not {_AREA_WORDS[needs]} (see data/reference/{_AREA_FILES[needs]}.csv)."
        )
    return Entry(kind, name, Grant(role, area), line)


def _who(where: str, who: str) -> tuple[str, str]:
    """(kind, value) of a who cell: 'group:<name>', 'subject:<sub>' or an email (kept lower-case)."""
    prefix, _, rest = who.partition(":")
    if rest and prefix.strip().lower() in (GROUP, SUBJECT):
        if not rest.strip():
            raise AccessError(f"{where}: {prefix.strip().lower()}: names nobody.")
        return prefix.strip().lower(), rest.strip()
    if _EMAIL.match(who):
        return EMAIL, who.casefold()
    raise AccessError(
        f"{where}: who must be an email, subject:<IdP subject> or group:<IdP group> (found {who!r})."
    )


_AREA_WORDS = {
    "region": "a region code",
    "force": "a force code",
    "agency": "a partner agency code",
    "agency or none": "an agency code (or nothing, for a national data manager)",
}
_AREA_FILES = {"region": "region", "force": "force", "agency": "agency", "agency or none": "agency"}


def _areas(needs: str) -> set[str]:
    """The codes a role's area may name: regions, forces, partner agencies, or any agency."""
    if needs == "region":
        return set(reference.table("region")["region_code"])
    if needs == "force":
        return set(reference.table("force")["force_code"])
    agencies = reference.table("agency")
    if needs == "agency":
        agencies = agencies.filter(pl.col("kind") == "partner")
    return set(agencies["agency_code"])
