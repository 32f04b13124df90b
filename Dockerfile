# syntax=docker/dockerfile:1
# Production-like image of the CRM: one image for the web server, the Celery worker and
# Celery beat (see docker-compose.yml for how each is started).
FROM python:3.11-slim-bookworm

# PYTHONPATH: import the project from /app (where manage.py, templates/, static/ and locale/
# are) rather than from the copy `pip install .` puts in site-packages, so that BASE_DIR is
# /app for gunicorn and celery too, not only for manage.py.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONPATH=/app

# WeasyPrint's runtime libraries (Pango, HarfBuzz's subsetter, a font) and gettext for
# compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

COPY . .
RUN pip install --no-cache-dir .

# Build-time steps import the settings, which want a SECRET_KEY; this one never reaches the
# running containers (they get theirs from the environment).
ARG BUILD_SECRET_KEY=build-time-only-not-a-secret
RUN SECRET_KEY="$BUILD_SECRET_KEY" python manage.py compilemessages \
    && SECRET_KEY="$BUILD_SECRET_KEY" python manage.py collectstatic --noinput

# Run as an unprivileged user. The code and collected static files stay owned by root
# (read-only for the app); only var/ (uploaded media and other runtime data) is writable.
RUN groupadd --system --gid 10001 crm \
    && useradd --system --uid 10001 --gid crm --home-dir /home/crm --create-home --shell /usr/sbin/nologin crm \
    && mkdir -p /app/var/media \
    && chown -R crm:crm /app/var
USER crm

EXPOSE 8000

CMD ["gunicorn", "crm.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
