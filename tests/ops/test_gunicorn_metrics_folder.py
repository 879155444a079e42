"""gunicorn started without PROMETHEUS_MULTIPROC_DIR makes a metrics folder of its own and
takes it away again when it stops: restarts leave nothing behind in the temp folder."""

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.conftest import free_port

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
    gunicorn = Path(sys.executable).parent / "gunicorn"
    with open(tmp_path / "gunicorn.log", "w") as log:
        server = subprocess.Popen(
            [str(gunicorn), "config.wsgi:application", "--config", "gunicorn.conf.py"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:
                assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
                try:
                    live = requests.get(f"http://127.0.0.1:{port}/api/health/live/", timeout=2)
                    break
                except requests.ConnectionError:
                    assert time.monotonic() < deadline, "gunicorn did not answer"
                    time.sleep(0.2)
            assert live.status_code == 200
            assert len(list(tmp_path.glob("paycart-metrics-*"))) == 1
        finally:
            server.terminate()
            server.wait(timeout=60)
    assert server.returncode == 0
    assert list(tmp_path.glob("paycart-metrics-*")) == []
