"""Probes for load balancers and on-call engineers. None of them ever answers 500, and each
answers whatever the Host header says (ProbesAnswerAnyHost)."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from django.views.decorators.http import require_safe


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means "down", never a 500
        return "down"
    return "ok"


def _cache() -> str:
    try:
        cache.set("health", "ok", 5)
        return "ok" if cache.get("health") == "ok" else "down"
    except Exception:  # Redis unreachable
        return "down"


def _broker() -> str | None:
    if not settings.CELERY_BROKER_URL:
        return None  # jobs run in-process: nothing to reach
    from config.celery import app

    try:
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # the broker is down or refuses us
        return "down"
    return "ok"


def _migrations_applied() -> bool:
    executor = MigrationExecutor(connection)
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


@require_safe
def health(request):
    """200 while the database answers (503 otherwise), with the cache and the broker."""
    report = {"database": _database(), "cache": _cache()}
    if (broker := _broker()) is not None:
        report["broker"] = broker
    healthy = report["database"] == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **report}, status=200 if healthy else 503
    )


@require_safe
def ready(request):
    """What a load balancer probes: 503 until the database answers and every migration
    is applied (a new release is not sent traffic before its schema is there)."""
    if _database() != "ok":
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    try:
        migrated = _migrations_applied()
    except Exception:  # the migration table cannot be read
        migrated = False
    if not migrated:
        return JsonResponse({"status": "unavailable", "migrations": "pending"}, status=503)
    return JsonResponse({"status": "ready"})


@require_safe
def live(request):
    """The process runs and answers; nothing else is checked."""
    return JsonResponse({"status": "alive"})


PROBES = {"/api/health/": health, "/api/health/ready/": ready, "/api/health/live/": live}


class ProbesAnswerAnyHost:
    """The probes answer before host validation, the HTTPS redirect and the request log:
    a container's health check calls 127.0.0.1, Kubernetes calls the pod's IP, and neither
    is the shop's name in ALLOWED_HOSTS. They reveal nothing but up or down (and which of
    the database, cache and broker answers), so any Host may ask. Their answers carry the
    security headers every other answer does (nosniff, referrer policy, frame denial, HSTS
    over https): the two middlewares' answer halves, without their request halves (no
    redirect to https for a prober speaking plain http)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.security = SecurityMiddleware(get_response)
        self.frames = XFrameOptionsMiddleware(get_response)

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is None or request.method not in ("GET", "HEAD"):
            return self.get_response(request)  # the rest (a 405 included) as any request
        response = self.security.process_response(request, probe(request))
        return self.frames.process_response(request, response)
