# Slim image: migrations then the API, as a non-root user.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml requirements.lock ./
COPY app ./app
# The runtime dependencies at the versions CI tested (the lock's dev tools are not installed).
RUN pip install --no-cache-dir --prefix=/install -c requirements.lock .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    ENFORCEMENT_ENVIRONMENT=production ENFORCEMENT_HOST=0.0.0.0 ENFORCEMENT_PORT=8000 ENFORCEMENT_WORKERS=2
COPY --from=build /install /usr/local
RUN useradd --system --uid 10001 --home /srv/app enforcement && mkdir -p /srv/app/var \
    && chown -R enforcement /srv/app
WORKDIR /srv/app
COPY --chown=enforcement alembic.ini ./
COPY --chown=enforcement migrations ./migrations
COPY --chown=enforcement app ./app
USER enforcement
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,os;urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"ENFORCEMENT_PORT\"]}/healthz')"
# ENFORCEMENT_DATABASE_URL and ENFORCEMENT_JWT_SECRET must be given at run time.
CMD ["sh", "-c", "alembic upgrade head && python -m app.seed && exec python -m app.serve"]
