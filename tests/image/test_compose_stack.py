"""deploy/compose.yaml brought up for real, as docs/deployment.md says, by the operator's own
smoke script: Debian's podman 4.3.1 with the podman-compose pinned in requirements-dev.txt,
PostgreSQL, Redis and nginx built from Debian's packages where the official images cannot
be pulled, every health check passing (the web servers' asked on 127.0.0.1, not the shop's
name), the first staff user created, one checkout paid through nginx with TLS against the
sandbox beside the stack (plain HTTP sent to HTTPS, no redirect loop behind the proxy), and
nothing left afterwards."""

import re
import subprocess

from .conftest import ROOT, engine, installed_engine


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
    }


def test_the_compose_stack_comes_up_takes_a_checkout_and_leaves_nothing(image):
    assert installed_engine() == "podman"
    run = subprocess.run(
        ["./scripts/compose-smoke.sh"], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-4000:]
    project = re.search(r"== up \((paycart-smoke-\d+)\)", out).group(1)
    for service in ("postgres", "redis", "web1", "web2", "worker", "beat", "sandbox", "nginx"):
        assert f"healthy: {project}_{service}_1" in out, service
    assert "Superuser created successfully." in out
    assert "staff signed in to admin" in out
    assert re.search(r"paid: order \d{12}", out)
    assert "compose smoke: passed" in out
    assert leftovers(project) == {"containers": "", "volumes": "", "networks": ""}
