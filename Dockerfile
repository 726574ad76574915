# flockgov's application image: web (gunicorn), Celery worker and beat, and the
# one-shot migrate job all run from it (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system flockgov \
    && useradd --system --gid flockgov --home-dir /app --shell /usr/sbin/nologin flockgov

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN pip install . && rm -rf build *.egg-info

COPY . .

# Static files are collected into the image and served by WhiteNoise (no CDN).
# Settings need these variables to load; nothing connects to them here.
RUN FLOCKGOV_DEBUG=0 DJANGO_SECRET_KEY=collectstatic-only \
        DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost/0 \
        python manage.py collectstatic --no-input \
    && mkdir -p /data/media \
    && chown flockgov:flockgov /data/media

ENV FLOCKGOV_MEDIA_ROOT=/data/media
USER flockgov
EXPOSE 8000

CMD ["gunicorn", "flockgov.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--workers", "3", "--threads", "4", "--access-logfile", "-", \
     "--no-control-socket"]
