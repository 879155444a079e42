"""The deployment files are valid for their tools and say what running paycart needs:
compose through podman-compose, the Kubernetes manifests through kubernetes-validate
(the API schemas of a current Kubernetes), and for both: exactly one beat, the migration
as a one-shot release step, probes on the health endpoints, only documented variables."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from django.urls import resolve

from tests.ops.test_documentation import variables_read_by_settings

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.33"


def manifests() -> dict[tuple[str, str], dict]:
    found = {}
    for path in sorted(KUBERNETES.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            found[(document["kind"], document["metadata"]["name"])] = document
    return found


@pytest.mark.parametrize("path", sorted(KUBERNETES.glob("*.yaml")), ids=lambda p: p.name)
def test_each_manifest_is_valid_kubernetes(path):
    for document in yaml.safe_load_all(path.read_text()):
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def pod(document: dict) -> dict:
    return document["spec"]["template"]["spec"]


def test_web_is_probed_on_the_health_endpoints_and_kept_available_in_a_disruption():
    found = manifests()
    web = found[("Deployment", "paycart-web")]
    (container,) = pod(web)["containers"]
    ready, live = container["readinessProbe"]["httpGet"], container["livenessProbe"]["httpGet"]
    assert ready["path"] == "/api/health/ready/" and live["path"] == "/api/health/live/"
    assert resolve(ready["path"]).url_name == "health-ready"
    assert resolve(live["path"]).url_name == "health-live"
    assert web["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    budget = found[("PodDisruptionBudget", "paycart-web")]
    assert budget["spec"]["selector"]["matchLabels"] == web["spec"]["selector"]["matchLabels"]
    service = found[("Service", "paycart-web")]
    assert service["spec"]["selector"] == web["spec"]["selector"]["matchLabels"]


def test_exactly_one_beat_which_a_deploy_stops_before_starting_the_next():
    beat = manifests()[("Deployment", "paycart-beat")]
    assert beat["spec"]["replicas"] == 1 and beat["spec"]["strategy"] == {"type": "Recreate"}
    assert pod(beat)["containers"][0]["command"][:4] == ["celery", "-A", "config", "beat"]


def test_the_migration_is_a_job_and_every_pod_runs_the_image_as_non_root():
    found = manifests()
    job = found[("Job", "paycart-migrate")]
    assert pod(job)["containers"][0]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert pod(job)["restartPolicy"] == "Never"
    for kind, name in found:
        if kind in ("Deployment", "Job"):
            spec = pod(found[(kind, name)])
            assert spec["securityContext"]["runAsNonRoot"] is True, name


def test_the_config_map_and_secret_name_only_documented_variables():
    found = manifests()
    known = variables_read_by_settings() | {
        "PORT",
        "WEB_CONCURRENCY",
        "GUNICORN_THREADS",
        "PROMETHEUS_MULTIPROC_DIR",
    }
    for kind in ("ConfigMap", "Secret"):
        document = found[(kind, "paycart")]
        names = set(document.get("data") or document.get("stringData"))
        assert names <= known, sorted(names - known)
    secret = found[("Secret", "paycart")]["stringData"]
    assert all(value == "" for value in secret.values())  # no secret in the repository
    assert {"SECRET_KEY", "RAZORPAY_WEBHOOK_SECRET", "STRIPE_WEBHOOK_SECRET"} <= set(secret)


@pytest.fixture(scope="module")
def compose() -> dict:
    tool = shutil.which("podman-compose") or str(Path(sys.executable).parent / "podman-compose")
    answer = subprocess.run(
        [tool, "-f", "deploy/compose.yaml", "config"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "POSTGRES_PASSWORD": "compose-check"},
        timeout=60,
    )
    assert answer.returncode == 0, answer.stderr
    return yaml.safe_load(answer.stdout)


def test_compose_runs_two_web_servers_behind_tls_one_worker_and_exactly_one_beat(compose):
    services = compose["services"]
    assert {"web1", "web2", "worker", "beat", "migrate", "nginx", "postgres", "redis"} <= set(
        services
    )
    beat = services["beat"]
    assert beat["command"][:4] == ["celery", "-A", "config", "beat"]
    assert "scale" not in beat and (beat.get("deploy") or {}).get("replicas", 1) == 1
    nginx_conf = (ROOT / "deploy" / "nginx" / "paycart.conf.template").read_text()
    assert "listen 443 ssl" in nginx_conf and "ssl_certificate " in nginx_conf
    assert re.findall(r"server (web\d):8000", nginx_conf) == ["web1", "web2"]


def test_compose_migrates_once_and_needs_no_health_conditions_to_start_in_order(compose):
    """podman 4.3 cannot wait for a health condition, so nothing relies on one: the release
    job retries until PostgreSQL answers, and the web servers are not ready until it has
    migrated (tests/image/test_compose_stack.py brings it up for real)."""
    services = compose["services"]
    migrate = services["migrate"]
    assert migrate["command"][:2] == ["sh", "-c"]
    assert "python manage.py migrate --noinput" in migrate["command"][2]
    assert "sleep" in migrate["command"][2] and "exit 1" in migrate["command"][2]
    assert migrate["restart"] == "no"
    for name, service in services.items():
        waits = service.get("depends_on") or {}
        conditions = (
            {w.get("condition", "service_started") for w in waits.values()}
            if isinstance(waits, dict)
            else {"service_started"}
        )
        assert conditions <= {"service_started"}, f"{name} waits on {conditions}"
    for name in ("web1", "web2", "worker", "beat"):
        assert services[name]["image"] == migrate["image"]  # one image for every process
    for name in ("web1", "web2"):
        assert "/api/health/ready/" in " ".join(services[name]["healthcheck"]["test"])
    volumes = {
        v.split(":")[1] if isinstance(v, str) else v["target"]
        for s in ("postgres", "redis")
        for v in services[s]["volumes"]
    }
    assert volumes == {"/var/lib/postgresql/data", "/data"}
    assert set(compose["volumes"]) >= {"postgres-data", "redis-data"}
