"""What a report holds, whatever its format: its facts, its sections, their tables and charts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import plotly.graph_objects as go
import polars as pl


@dataclass(frozen=True)
class Table:
    """One published table: every value column is text (a number or a GSS symbol such as `[c]`)."""

    key: str  # short name, also the XLSX sheet name (31 characters at most)
    title: str
    frame: pl.DataFrame
    note: str = ""

    @property
    def label(self) -> str:
        """The first column names the rows."""
        return self.frame.columns[0]


@dataclass(frozen=True)
class Chart:
    """A figure with the sentence that says what it shows (its alternative text)."""

    key: str
    title: str
    figure: go.Figure
    description: str


@dataclass(frozen=True)
class Section:
    """A heading with its paragraphs, charts and tables, in that order."""

    key: str
    title: str
    paragraphs: tuple[str, ...] = ()
    charts: tuple[Chart, ...] = ()
    tables: tuple[Table, ...] = ()


@dataclass(frozen=True)
class Report:
    """A whole report with the facts every output carries on its cover."""

    title: str
    month: date
    period: str  # the months its figures cover, in words
    scope: str  # the data scope and filters it was produced under
    data_version: str
    synthetic: bool
    produced_at: str  # the only field that differs between two runs on the same data
    sections: tuple[Section, ...] = field(default=())
    file_stem: str = "msoic-report"

    def tables(self) -> list[Table]:
        """Every table of the report, in order."""
        return [t for s in self.sections for t in s.tables]

    def facts(self) -> list[tuple[str, str]]:
        """(label, value) pairs of the cover: period, scope, data version, produced, data kind."""
        return [
            ("Period", self.period),
            ("Scope", self.scope),
            ("Data version", self.data_version),
            ("Produced", self.produced_at),
            (
                "Data",
                "Synthetic data: generated, not real operations, victims or offenders"
                if self.synthetic
                else "Returns of the contributing agencies",
            ),
            (
                "Disclosure control",
                (
                    "Counts from 1 to the threshold and those that could be worked out from "
                    "them are shown as [c]; see Notes"
                ),
            ),
        ]
