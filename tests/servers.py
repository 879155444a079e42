"""Servers the tests start as real processes: one way to wait for them, and one way to stop
them that runs even when waiting failed, so a slow box neither fails a test on a slow first
answer nor leaves a server running after the suite."""

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable

import requests


def wait_until_answering(
    url: str,
    *,
    seconds: float = 60,
    ok: Callable[[requests.Response], bool] = lambda answer: answer.status_code < 500,
    alive: Callable[[], bool] = lambda: True,
    why: Callable[[], str] = lambda: "",
) -> requests.Response:
    """Ask `url` until an answer is `ok`: a refused connection, a read that timed out or a
    reset all mean "not yet" until `seconds` have passed (or `alive` says the process died)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            answer = requests.get(url, timeout=5)
            if ok(answer):
                return answer
        except requests.RequestException:
            pass
        assert alive(), f"{url}: the server exited. {why()}"
        assert time.monotonic() < deadline, f"{url} did not answer within {seconds} s. {why()}"
        time.sleep(0.2)


def stop(process: subprocess.Popen, *, group: bool = False, seconds: float = 40) -> None:
    """SIGTERM (to its process group with `group`), then SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    try:
        if group:
            os.killpg(process.pid, signal.SIGTERM)
        else:
            process.send_signal(signal.SIGTERM)
        process.wait(timeout=seconds)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        if group:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        process.kill()
        process.wait(timeout=10)


def children_of(pid: int) -> list[tuple[int, str]]:
    """The running processes whose parent is `pid` (not those already exited), as (pid,
    command)."""
    listing = subprocess.Popen(
        ["ps", "-o", "pid=,ppid=,stat=,args=", "-e"], stdout=subprocess.PIPE, text=True
    )
    output, _ = listing.communicate()
    rows = [line.split(None, 3) for line in output.splitlines()]
    return [
        (int(row[0]), row[3])
        for row in rows
        if len(row) == 4
        and row[1] == str(pid)
        and not row[2].startswith("Z")
        and int(row[0]) != listing.pid  # the listing itself
    ]
