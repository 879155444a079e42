"""gunicorn started without PROMETHEUS_MULTIPROC_DIR makes a metrics folder of its own, keeps
it across a reload (SIGHUP), and takes it away when it stops: restarts leave nothing behind
in the temp folder."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import free_port
from tests.servers import wait_until_answering

ROOT = Path(__file__).resolve().parents[2]


def test_a_gunicorn_without_a_metrics_folder_removes_the_one_it_made_when_it_stops(tmp_path):
    port = free_port()
    keep = {"PATH", "HOME", "LANG"}
    env = {k: v for k, v in os.environ.items() if k in keep} | {
        "TMPDIR": str(tmp_path),
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    log_path = tmp_path / "gunicorn.log"

    def wait_for_workers(booted: int) -> None:
        deadline = time.monotonic() + 60
        while log_path.read_text().count("Booting worker") < booted:
            assert server.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "gunicorn did not boot its worker"
            time.sleep(0.2)
        wait_until_answering(
            f"http://127.0.0.1:{port}/api/health/live/",
            seconds=max(deadline - time.monotonic(), 1),
            ok=lambda answer: answer.status_code == 200,
            alive=lambda: server.poll() is None,
        )

    gunicorn = Path(sys.executable).parent / "gunicorn"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [str(gunicorn), "config.wsgi:application", "--config", "gunicorn.conf.py"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_for_workers(1)
            (made,) = tmp_path.glob("paycart-metrics-*")
            server.send_signal(signal.SIGHUP)  # reload: the config file is read again
            wait_for_workers(2)
            assert list(tmp_path.glob("paycart-metrics-*")) == [made]
        finally:
            server.terminate()
            server.wait(timeout=60)
    assert server.returncode == 0
    assert list(tmp_path.glob("paycart-metrics-*")) == []
