"""The reader's child process: untrusted files are parsed there, under limits, never in the server.

A workbook or CSV/Parquet sheet that crashes, aborts, exhausts memory or hangs the parser costs
its own load one sentence and nothing else: the child sets its limits (address space, CPU
seconds, size of a file it writes, no core dump) before it imports a parser, converts each sheet
into Arrow IPC parts of at most CHUNK_ROWS rows of text, and writes what it found to result.json.
The parent reads the parts a chunk at a time, so its memory stays bounded as before.

    python -m msoic.ingest.worker JOB.json      (started by `parse`, not by hand)
"""

from __future__ import annotations

import json
import logging
import os
import re
import resource
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]
UNITS = {"": 1, "B": 1, "KB": 2**10, "MB": 2**20, "GB": 2**30, "TB": 2**40}
STOPPED = "this file could not be read: it stopped the reader"


def size(text: str) -> int:
    """Bytes in a size such as '2GB', '512MB' or '1000000'."""
    m = re.fullmatch(r"\s*(\d+)\s*([KMGT]?B?)\s*", text.upper())
    if not m:
        raise ValueError(f"not a size: {text!r} (expected e.g. 2GB or 512MB)")
    return int(m.group(1)) * UNITS[m.group(2) if m.group(2) != "K" else "KB"]


@dataclass(frozen=True)
class Limits:
    """What the reader of one return may use; each is set in the environment (see README)."""

    memory: int  # bytes of address space, which runs well above resident memory ($MSOIC_READ_MEMORY)
    seconds: int  # wall-clock and CPU seconds ($MSOIC_READ_SECONDS)
    file_size: int  # bytes of any file it writes ($MSOIC_READ_FILE_SIZE)

    @classmethod
    def from_env(cls) -> Limits:
        return cls(
            memory=size(os.environ.get("MSOIC_READ_MEMORY", "4GB")),
            seconds=int(os.environ.get("MSOIC_READ_SECONDS", "300")),
            file_size=size(os.environ.get("MSOIC_READ_FILE_SIZE", "4GB")),
        )


@dataclass
class Parsed:
    """What the child found: per sheet its headers and Arrow IPC parts, or the sentence of a refusal."""

    sheets: dict[str, dict]  # sheet -> {"headers": [...], "parts": [...]}
    refused: str | None = None
    file: str | None = None  # the file the refusal is about
    peak_bytes: int = 0  # the child's peak resident memory


def parse(
    paths: list[Path], names: list[str], out: Path, chunk_rows: int, limits: Limits | None = None
) -> Parsed:
    """Parse the files of one return in a child process under `limits`, into Arrow IPC parts in `out`."""
    limits = limits or Limits.from_env()
    out.mkdir(parents=True, exist_ok=True)
    job = out / "job.json"
    job.write_text(
        json.dumps(
            {
                "paths": [str(Path(p).resolve()) for p in paths],
                "names": names,
                "out": str(out),
                "chunk_rows": chunk_rows,
                "limits": limits.__dict__,
            }
        )
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    with open(out / "stderr.txt", "wb") as err:
        child = subprocess.Popen(
            [sys.executable, "-m", "msoic.ingest.worker", str(job)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=err,
            stderr=err,
        )
        status, usage, timed_out = _wait(child, limits.seconds)
    peak = usage.ru_maxrss * 1024 if usage else 0
    # Its processor time ran out (RLIMIT_CPU, soft = hard: the kernel sends SIGKILL), which a reader
    # with several threads reaches before the wall-clock deadline: a time limit all the same.
    if usage and status in (-signal.SIGKILL, -signal.SIGXCPU):
        timed_out |= usage.ru_utime + usage.ru_stime >= limits.seconds - 0.05
    result = out / "result.json"
    if status == 0 and result.exists():
        found = json.loads(result.read_text())
        log.info("read %s in a child: peak %.0f MB", ", ".join(names), peak / 2**20)
        return Parsed(found.get("sheets", {}), found.get("refused"), found.get("file"), peak)
    label = ", ".join(names)
    why = (
        f"it took longer than {limits.seconds} s"
        if timed_out
        else f"it stopped the reader (signal {-status})"
        if status < 0
        else "it stopped the reader"
    )
    log.warning(
        "the reader of %s stopped (exit %s, peak %.0f MB): %s",
        label,
        status,
        peak / 2**20,
        (out / "stderr.txt").read_text(errors="replace")[-4000:],
    )
    return Parsed(
        {},
        f"{label}: this file could not be read: {why}; nothing was loaded from it.",
        names[0] if len(names) == 1 else None,
        peak,
    )


def _wait(child: subprocess.Popen, seconds: int) -> tuple[int, resource.struct_rusage | None, bool]:
    """(exit status, negative for a signal; the child's resource usage; whether it was killed for time)."""
    deadline, timed_out = time.monotonic() + seconds, False
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            child.returncode = os.waitstatus_to_exitcode(status)
            return child.returncode, usage, timed_out
        if time.monotonic() > deadline and not timed_out:
            child.kill()
            timed_out = True
        time.sleep(0.02)


def _limit(limits: dict) -> None:
    """Set this process's limits (before any parser is imported)."""
    for which, value in (
        (resource.RLIMIT_AS, limits["memory"]),
        (resource.RLIMIT_CPU, limits["seconds"]),
        (resource.RLIMIT_FSIZE, limits["file_size"]),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(which, (value, value))


def main(job_path: str) -> int:
    job = json.loads(Path(job_path).read_text())
    _limit(job["limits"])
    from msoic.ingest import parsing

    out = Path(job["out"])
    try:
        result = {
            "sheets": parsing.convert([Path(p) for p in job["paths"]], job["names"], out, job["chunk_rows"])
        }
    except parsing.Refused as exc:
        result = {"refused": str(exc), "file": exc.file}
    (out / "result.part").write_text(json.dumps(result))
    os.replace(out / "result.part", out / "result.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
