"""deploy/compose.yaml brought up for real by running docs/deployment.md's blocks as the page
shows them (scripts/compose-smoke.sh reads them from it): Debian's podman 4.3.1 with the
podman-compose pinned in requirements-dev.txt, PostgreSQL, Redis and nginx built from
Debian's packages where the official images cannot be pulled, every health check passing
(the web servers' asked on 127.0.0.1, not the shop's name), the first staff user created,
one checkout paid through nginx with TLS against the sandbox beside the stack (plain HTTP
sent to HTTPS on its own port, no redirect loop behind the proxy), an upgrade and a
rollback that change what web1 runs without one request through nginx failing, a stop, and
nothing left afterwards."""

import re
import subprocess

from .conftest import ROOT, engine, installed_engine

SERVICES = ("postgres", "redis", "web1", "web2", "worker", "beat", "sandbox", "nginx")


def leftovers(project: str) -> dict[str, str]:
    label = f"label=io.podman.compose.project={project}"
    return {
        "containers": engine("ps", "-a", "-q", "--filter", label).stdout.strip(),
        "volumes": engine("volume", "ls", "-q", "--filter", label).stdout.strip(),
        "networks": "\n".join(
            name
            for name in engine("network", "ls", "--format", "{{.Name}}").stdout.split()
            if name.startswith(project)
        ),
        "images": engine("images", "-q", f"localhost/{project}").stdout.strip(),
    }


def blocks_in_the_docs() -> dict[str, str]:
    page = (ROOT / "docs/deployment.md").read_text()
    found = re.findall(r"<!-- block: (\w+) -->\n```sh\n(.*?)```", page, re.S)
    return {name: body for name, body in found}


def test_the_deployment_blocks_run_as_written_with_a_checkout_upgrade_and_rollback(image):
    """The blocks of docs/deployment.md as written: the image built with one line per step,
    the stack up, a checkout, an upgrade and a rollback watched through nginx, the stack
    stopped; nothing left behind."""
    assert installed_engine() == "podman"
    run = subprocess.run(
        ["./scripts/compose-smoke.sh"], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-4000:]
    blocks = blocks_in_the_docs()
    assert list(blocks) == ["deploy", "upgrade", "rollback", "stop"]
    for name, body in blocks.items():
        shown = "".join(f"   | {line}\n" for line in body.splitlines())
        assert f"== docs/deployment.md, block {name}:\n{shown}" in out, name
    # The image is built by the block, saying each step as it goes.
    assert re.search(r"^Building paycart:local with podman", out, re.M)
    assert re.search(r"^(\[\d+/\d+\] )?STEP \d+/\d+: FROM ", out, re.M)
    project = re.search(r"== up \((paycart-smoke-\d+)\)", out).group(1)
    up, upgrade, rollback = (
        out.index(f"block {name}:") for name in ("deploy", "upgrade", "rollback")
    )
    for service in SERVICES:
        assert f"healthy: {project}_{service}_1" in out[up:upgrade], service
    assert "Superuser created successfully." in out
    assert "staff signed in to admin" in out
    assert re.search(r"paid: order \d{12}", out)
    # One web server at a time, the release step first.
    for start, end in ((upgrade, rollback), (rollback, len(out))):
        steps = re.findall(r"^(migrated|rolled: \w+)$", out[start:end], re.M)
        assert steps[-4:] == ["rolled: web1", "rolled: web2", "rolled: worker", "rolled: beat"]
    assert re.findall(r"^migrated$", out[upgrade:rollback], re.M) == ["migrated"]
    assert re.search(r"^upgrade: \d+ requests through nginx, 0 failed", out, re.M)
    assert re.search(r"^rollback: \d+ requests through nginx, 0 failed", out, re.M)
    assert "web1 runs the new image" in out
    assert "web1 runs the image before the upgrade again" in out
    assert f"stopped ({project})" in out
    assert "compose smoke: passed" in out
    assert leftovers(project) == {"containers": "", "volumes": "", "networks": "", "images": ""}
    # Its builds (the stack's image and the upgrade's) left no untagged build stage and no
    # replaced paycart image behind, but one a container still runs.
    in_use = {
        line[:12]
        for line in engine("ps", "-a", "--external", "--format", "{{.ImageID}}").stdout.split()
    }
    for label in ("paycart.stage=build", "paycart.built"):
        left = engine("images", "-q", "--filter", "dangling=true", "--filter", f"label={label}")
        assert set(left.stdout.split()) <= in_use, label
