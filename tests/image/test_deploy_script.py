"""scripts/deploy.sh refuses before anything starts: an image that is not on the host, an
environment still holding .env.example's placeholders, no certificate, nothing to roll back
to; and `init` never overwrites what the operator filled in. Each says what is missing in
seconds, and leaves no container or network behind."""

import os
import shutil
import subprocess
import uuid

import pytest

from .conftest import ROOT, engine


@pytest.fixture
def stack(tmp_path, image):
    """A deploy folder of its own, as `init` makes it, with the images that are here."""
    folder = tmp_path / "deploy"
    folder.mkdir()
    shutil.copy(ROOT / "deploy/compose.yaml", folder)
    shutil.copytree(ROOT / "deploy/nginx", folder / "nginx")
    project = f"paycart-refused-{uuid.uuid4().hex[:8]}"
    deploy("init", folder=folder)
    stack_env = folder / "stack.env"
    # Nothing starts in these tests: any image that is here stands in for each service.
    stack_env.write_text(
        stack_env.read_text().replace(
            "COMPOSE_PROJECT_NAME=paycart", f"COMPOSE_PROJECT_NAME={project}"
        )
        + "".join(f"{name}={image}\n" for name in ("POSTGRES_IMAGE", "REDIS_IMAGE", "NGINX_IMAGE"))
    )
    yield folder, project
    containers = engine("ps", "-a", "-q", "--filter", f"label=com.docker.compose.project={project}")
    networks = engine("network", "ls", "--format", "{{.Name}}").stdout.split()
    assert containers.stdout.strip() == "" and not [n for n in networks if n.startswith(project)]


def deploy(*args, folder) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["./scripts/deploy.sh", *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PAYCART_DEPLOY_DIR": str(folder)},
    )  # fmt: skip


def set_line(file, name: str, value: str) -> None:
    lines = [line for line in file.read_text().splitlines() if not line.startswith(f"{name}=")]
    file.write_text("\n".join([*lines, f"{name}={value}"]) + "\n")


def test_init_makes_the_files_once_and_never_overwrites_them(stack):
    folder, _ = stack
    stack_env, env = folder / "stack.env", folder / ".env"
    assert (
        oct(stack_env.stat().st_mode & 0o777) == "0o600"
        and oct(env.stat().st_mode & 0o777) == "0o600"
    )
    assert (folder / "tls").is_dir()
    password = next(
        line for line in stack_env.read_text().splitlines() if line.startswith("POSTGRES_PASSWORD=")
    )
    assert len(password) > len("POSTGRES_PASSWORD=") + 24
    env.write_text("DEBUG=0\n")
    again = deploy("init", folder=folder)
    assert again.returncode == 0 and "made" not in again.stdout
    assert password in stack_env.read_text() and env.read_text() == "DEBUG=0\n"


def test_up_refuses_at_once_when_an_image_is_not_on_the_host(stack):
    folder, _ = stack
    set_line(folder / "stack.env", "NGINX_IMAGE", "localhost/paycart-nowhere:1")
    refused = deploy("up", folder=folder)
    assert refused.returncode == 1
    assert "the image localhost/paycart-nowhere:1 is not on this host" in refused.stderr
    assert "nothing started: ./scripts/deploy.sh images builds or pulls them" in refused.stderr


def test_up_refuses_without_a_certificate_and_with_the_examples_placeholders(stack):
    folder, _ = stack
    refused = deploy("up", folder=folder)
    assert refused.returncode == 1 and "no fullchain.pem" in refused.stderr
    for name in ("fullchain.pem", "privkey.pem"):
        (folder / "tls" / name).write_text("not yet a certificate\n")
    refused = deploy("up", folder=folder)
    assert refused.returncode == 1, refused.stdout
    assert "Refusing to start: " in refused.stderr and "SECRET_KEY" in refused.stderr
    assert f"nothing started: fill in {folder}/.env" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_rollback_refuses_when_nothing_was_upgraded(stack):
    folder, _ = stack
    refused = deploy("rollback", folder=folder)
    assert refused.returncode == 1
    assert "no earlier image: nothing has been upgraded on this host" in refused.stderr
