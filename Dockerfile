# syntax=docker/dockerfile:1
# Coalition's container image: one image for every role (web, worker, scheduler, migrate), chosen by the command
# (deploy/docker/entrypoint.sh). Build: `docker build -t coalition .`; run: compose.yaml; docs/deployment.md.
#
# Bookworm on purpose: its postgresql-client is 15, the server compose.yaml runs, and `manage.py backup` needs a
# pg_dump of the server's major version or newer. Take a newer base image together with a newer server.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- Build: the locked production dependencies in a virtual environment -----------------------------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    UV_PROJECT_ENVIRONMENT=/srv/coalition/.venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never
# The uv the Makefile pins, so the image resolves nothing the lock file does not say.
RUN pip install uv==0.13.8
WORKDIR /srv/coalition
COPY pyproject.toml uv.lock ./
# --no-default-groups: the project's default groups are dev and bench (tests, linters, Locust); production has none.
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-default-groups --python /usr/local/bin/python3

# --- Runtime: the code, the environment, the static files; no compiler, no uv, not root ---------------------------
FROM ${PYTHON_IMAGE} AS runtime
# pg_dump and pg_restore for `manage.py backup` and `restore`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 coalition \
    && useradd --system --uid 10001 --gid coalition --home-dir /srv/coalition --shell /usr/sbin/nologin coalition
ENV PATH=/srv/coalition/.venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_ENV=production \
    COALITION_VAR_DIR=/srv/coalition/var \
    WEB_BIND=0.0.0.0:8000
WORKDIR /srv/coalition
COPY --from=build /srv/coalition/.venv /srv/coalition/.venv
COPY . .
# Static files, hashed and compressed by WhiteNoise's storage, into the image (/srv/coalition/static, which
# var/staticfiles links to). Production settings refuse to load without a secret key, hosts and encryption keys:
# these are throwaway values for this one command, and no database is touched.
RUN mkdir -p var \
    && ln -s /srv/coalition/static var/staticfiles \
    && SECRET_KEY=collectstatic-only-never-used-to-sign-anything-0123456789abcdef \
       ALLOWED_HOSTS=build.invalid \
       FIELD_ENCRYPTION_KEYS=collectstatic-only \
       python manage.py collectstatic --noinput -v0 \
    && python -m compileall -q -j 0 coalition config \
    && chown -R coalition:coalition var
USER coalition
VOLUME ["/srv/coalition/var"]
EXPOSE 8000
# /healthz: the process answers (no database asked). Compose's worker and scheduler turn it off.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "deploy/docker/healthcheck.py"]
ENTRYPOINT ["deploy/docker/entrypoint.sh"]
CMD ["web"]
