# The ZVH portal's production image: one image for web (gunicorn), worker and
# beat (Celery) and the one-shot migrate step; docker-compose.yml picks the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --shell /usr/sbin/nologin portal

# Dependencies first, so a code change does not reinstall them. Every package is
# pinned with its hashes; pip refuses anything else.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

# The code stays owned by root: the portal user can read it, not change it.
COPY . .

# Static files are part of the image (served by WhiteNoise). collectstatic needs no
# database or secret, so it runs in the settings' demo mode at build time.
# The directories the volumes of docker-compose.yml are mounted on: a new named volume
# takes its owner from the directory in the image, so each must exist here, owned by
# portal (media, casework attachments, the audit chain's exported head).
RUN PORTAL_ENV=demo python manage.py collectstatic --noinput -v0 \
    && rm -f var/portal.sqlite3 \
    && mkdir -p var/media var/casework-private var/audit \
    && chown -R portal:portal var

USER portal
EXPOSE 8000

# Production is chosen by the environment (PORTAL_ENV=production, see .env.example).
# gunicorn's settings: portal/deploy/gunicorn.conf.py (shared with docker-compose.yml and
# `make stack`).
CMD ["gunicorn", "--config=portal/deploy/gunicorn.conf.py", "portal.wsgi:application"]
