"""The container engine the image tests drive (podman or docker, as scripts/image.sh
finds or installs it) and the image they share, built once."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "paycart:local"


def installed_engine() -> str | None:
    return next((name for name in ("podman", "docker") if shutil.which(name)), None)


def engine(*args, check=True, timeout=600) -> subprocess.CompletedProcess:
    name = installed_engine()
    podman = {"CONTAINERS_CONF": str(ROOT / "deploy/podman/containers.conf")}
    env = podman if name == "podman" else {}
    return subprocess.run(
        [name, *args], capture_output=True, text=True, timeout=timeout, check=check,
        env={**os.environ, **env},
    )  # fmt: skip


@pytest.fixture(scope="session")
def image():
    """Built by ./scripts/image.sh, which installs Debian's podman where neither engine is:
    only where that cannot be done either is this skipped, and it says why."""
    built = subprocess.run(
        ["./scripts/image.sh", "build"], cwd=ROOT, capture_output=True, text=True, timeout=1200
    )
    if installed_engine() is None:
        pytest.skip(
            f"no podman or docker, and podman could not be installed: {built.stderr[-500:]}"
        )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return IMAGE
