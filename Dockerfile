# syntax=docker/dockerfile:1
# paycart: one image for every process. The default command serves the API with gunicorn on
# $PORT; the same image runs the release step (`python manage.py migrate`), the worker
# (`celery -A config worker`) and the scheduler (`celery -A config beat`). Configuration
# comes from the environment only (docs/configuration.md); nothing secret is in the image.

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN python3 -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
# A CA bundle may be passed as the build secret `ca` (a proxy to PyPI); without it, Debian's.
RUN --mount=type=secret,id=ca \
    PIP_CERT=$( [ -s /run/secrets/ca ] && echo /run/secrets/ca || echo /etc/ssl/certs/ca-certificates.crt ) \
    /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check -r /tmp/requirements.txt
# What follows is new with every change of the code: labelled, it is pruned after each
# build (scripts/image.sh), while the layers above stay as the cache of the next build.
LABEL paycart.stage=build
WORKDIR /app
COPY . .
# Static files are collected now, with production's hashed, compressed storage. The values
# here only let the settings load for this one command; none of them stays in the image.
RUN DEBUG=0 SECRET_KEY=collectstatic-only-at-build-time-nothing-is-signed-with-this-key DATABASE_URL=sqlite:////tmp/unused.sqlite3 \
    ALLOWED_HOSTS=localhost FRONTEND_BASE_URL=https://build.invalid PAYMENT_PROVIDERS=, \
    JOBS_IN_PROCESS=1 EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend \
    EMAIL_HOST=build.invalid /opt/venv/bin/python manage.py collectstatic --noinput -v 0 \
 && /opt/venv/bin/python -m compileall -q /app

FROM debian:bookworm-slim
# fonts-noto-core: the tax documents' PDFs in Latin and every Indian script (invoices/pdf_text.py).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 ca-certificates fonts-noto-core \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin paycart
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DEBUG=0 \
    PORT=8000
USER paycart
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/api/health/ready/' % os.environ.get('PORT', '8000'), timeout=4)"]
CMD ["gunicorn", "config.wsgi:application", "--config", "gunicorn.conf.py"]
