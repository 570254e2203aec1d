"""The deterministic synthetic data set: operations, victims and offenders that look like the
UK's modern slavery (MS) and organised immigration crime (OIC) picture, and are not real.

The generator lives in msoic/synthetic: calibration (every number and its source), world (the
reference data and expected volumes), timeline (operations and their months), profiles (who the
victims and offenders are) and writer (the inserts). The same seed and scale give the same data
on any run: every random draw comes from a numpy SeedSequence keyed by (seed, month, chunk), and
pseudonyms are SHA-256 digests of the seed and a person number.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from msoic import db
from msoic.synthetic.calibration import DEFAULT_SEED, EVENTS, Progress
from msoic.synthetic.draws import month_index, month_text
from msoic.synthetic.profiles import Profiles
from msoic.synthetic.timeline import Timeline
from msoic.synthetic.world import World
from msoic.synthetic.writer import Writer

__all__ = ["DEFAULT_SEED", "EVENTS", "build", "generate"]


def build(
    path: str | Path,
    *,
    scale: float = 1.0,
    seed: int = DEFAULT_SEED,
    start: str = "2021-01",
    end: str = "2026-10",
    progress: Progress | None = None,
) -> None:
    """Build a complete synthetic database at `path` (atomically swapped in)."""

    def fill(con: duckdb.DuckDBPyConnection) -> None:
        generate(con, scale=scale, seed=seed, start=start, end=end, progress=progress)

    db.build_database(
        Path(path),
        fill,
        meta={
            "is_synthetic": "true",
            "generator_seed": str(seed),
            "generator_scale": str(scale),
            "period_start": start,
            "period_end": end,
        },
    )


def generate(
    con: duckdb.DuckDBPyConnection,
    *,
    scale: float = 1.0,
    seed: int = DEFAULT_SEED,
    start: str = "2021-01",
    end: str = "2026-10",
    progress: Progress | None = None,
) -> None:
    """Insert synthetic operations, months, victims, offenders, submissions and demo events
    into `con`, which already holds the schema and the reference data."""
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    a_start, a_end = month_index(start), month_index(end)
    if a_end < a_start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    progress = progress or (lambda fraction, message: None)
    world = World.load(con, scale, int(seed), a_start, a_end)
    writer = Writer(con, world)
    timeline = Timeline(world, Profiles(world), writer)
    writer.insert_submissions()
    writer.insert_events()
    months = range(world.a_first, world.a_end + 1)
    for i, a in enumerate(months):
        timeline.month(a)
        progress(0.9 * (i + 1) / len(months), f"operations opened in {month_text(a)}")
    writer.flush()
    writer.finish_submissions()
    progress(1.0, "synthetic data generated")
