"""N `streamlit run` replicas behind nginx with the repository's config (deploy/nginx.conf), on
loopback: what the bench and the tests serve many sessions through."""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import subprocess
from pathlib import Path

from msoic import browser_bench

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
UPSTREAM = re.compile(r"(upstream msoic_replicas \{\n(?:\s*hash[^\n]*\n))((?:\s*server [^\n]*\n)+)")


def config(port: int, replicas: list[int]) -> str:
    """deploy/nginx.conf listening on `port` of loopback, its upstream naming the `replicas` ports,
    its workers run by the current user."""
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    conf = conf.replace("listen 127.0.0.1:8080;", f"listen 127.0.0.1:{port};")
    # Its workers run as whoever runs the bench or the tests (nginx started as root would make them
    # "nobody", who cannot reach the folder where they keep Streamlit's files).
    conf = conf.replace(
        "worker_processes 1;", f"user {pwd.getpwuid(os.geteuid()).pw_name};\nworker_processes 1;"
    )
    servers = "".join(f"        server 127.0.0.1:{r};\n" for r in replicas)
    conf, found = UPSTREAM.subn(lambda m: m.group(1) + servers, conf)
    if not found:
        raise RuntimeError("deploy/nginx.conf has no 'upstream msoic_replicas' block with a hash line")
    return conf


@contextlib.contextmanager
def proxy(folder: Path, replicas: list[int]):
    """nginx in front of the `replicas` ports, its files in `folder`; yields its base URL."""
    port = browser_bench.free_port()
    for name in ("logs", "tmp"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    (folder / "nginx.conf").write_text(config(port, replicas))
    proc = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        browser_bench.wait_healthy(f"http://127.0.0.1:{port}", timeout=30)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@contextlib.contextmanager
def serving(db_path: Path, folder: Path, replicas: int):
    """`replicas` app processes over `db_path` behind nginx, each writing its script runs to
    folder/replicaN.jsonl; yields (the proxy's base URL, those files)."""
    timings = [folder / f"replica{i + 1}.jsonl" for i in range(replicas)]
    ports = [browser_bench.free_port() for _ in timings]
    with contextlib.ExitStack() as stack:
        for port, path in zip(ports, timings):
            stack.enter_context(browser_bench.served(db_path, path, port))
        yield stack.enter_context(proxy(folder, ports)), timings
