"""Logging: one structured event per line through structlog, rendered as JSON in production
and as plain readable lines in development. Every record (structlog's and the standard
library's) passes the same processors, which keep secrets, tracebacks and personal data out
of the logs whatever a caller passes."""

import logging
import re
import sys
import traceback

import structlog

# Settings whose values never appear in a log line (a value is masked wherever it occurs).
# Besides each provider's (PROVIDER_SECRET_SETTINGS, from its settings block).
OWN_SECRET_SETTINGS = ("SECRET_KEY", "EMAIL_HOST_PASSWORD", "METRICS_TOKEN")


def secret_setting_names() -> list[str]:
    """Every setting whose value is a secret, the providers' included."""
    from django.conf import settings

    return [*OWN_SECRET_SETTINGS, *getattr(settings, "PROVIDER_SECRET_SETTINGS", [])]


# Fields whose names say they hold something private: their values are never written.
PRIVATE_FIELD = re.compile(
    r"secret|password|passwd|token|signature|authorization|cookie|card|cvv|address|phone|email",
    re.IGNORECASE,
)
MASK = "[redacted]"
# A path that carries a bearer secret (a manage link, a waiting-list entry's link): the
# segment after it is masked wherever a path is written (request logs, access logs).
SECRET_PATH = re.compile(r"(/api/(?:manage|booking/waitlist)/)(?!links/)[^/\s?#\"']+")


def path_masked(text: str) -> str:
    return SECRET_PATH.sub(rf"\g<1>{MASK}", text)


# Shorter values are too likely to occur by chance to be masked everywhere.
MIN_MASKED_LENGTH = 8


def _configured_secrets() -> list[str]:
    from django.conf import settings

    values = [str(getattr(settings, name, "") or "") for name in secret_setting_names()]
    values.append(str(settings.DATABASES["default"].get("PASSWORD") or ""))
    return sorted({v for v in values if len(v) >= MIN_MASKED_LENGTH}, key=len, reverse=True)


class RedactSecrets:
    """Masks private fields by name and configured secrets by value."""

    def __init__(self):
        self._secrets: list[str] | None = None

    def _mask(self, text: str) -> str:
        text = path_masked(text)
        if self._secrets is None:
            self._secrets = _configured_secrets()
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def __call__(self, logger, method_name, event_dict: dict) -> dict:
        for key, value in event_dict.items():
            if key != "event" and PRIVATE_FIELD.search(key):
                event_dict[key] = MASK
            elif isinstance(value, str):
                event_dict[key] = self._mask(value)
            elif value is not None and not isinstance(value, int | float | bool):
                event_dict[key] = self._mask(str(value))
        return event_dict


def summarize_exception(logger, method_name, event_dict: dict) -> dict:
    """An exception is logged as its type and where it was raised: never the stack or the
    values in it (they may hold request data)."""
    exc_info = event_dict.pop("exc_info", None)
    if exc_info is True:
        exc_info = sys.exc_info()
    if isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    if isinstance(exc_info, tuple) and exc_info[0] is not None:
        frames = traceback.extract_tb(exc_info[2])
        where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
        event_dict["exception"] = f"{exc_info[0].__name__}{where}"
    event_dict.pop("stack_info", None)
    return event_dict


SHARED_PROCESSORS = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def formatter(renderer: str) -> structlog.stdlib.ProcessorFormatter:
    """The one formatter of every handler: json (production) or console (development)."""
    render = (
        structlog.processors.JSONRenderer()
        if renderer == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*SHARED_PROCESSORS, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            summarize_exception,
            RedactSecrets(),
            render,
        ],
    )


def logging_config(*, renderer: str, level: str) -> dict:
    """LOGGING for Django's dictConfig; also points structlog at the standard library."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *SHARED_PROCESSORS,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": {"()": formatter, "renderer": renderer}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Request lines come from django-structlog; Django's own would say it twice.
            "django.request": {"level": logging.ERROR},
            "django.server": {"level": logging.WARNING},
        },
    }
