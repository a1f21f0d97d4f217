# Keel's image: one image for web (gunicorn), worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so that code changes reuse this layer.
COPY pyproject.toml README.md ./
RUN pip install --upgrade pip && pip install .

COPY . .
# collectstatic needs settings; this key exists only during the build.
RUN SECRET_KEY=collectstatic-only-build-key DEBUG=false python manage.py collectstatic --no-input

# media/ exists in the image so that the named volume mounted there belongs to keel.
RUN useradd --create-home --uid 1000 keel && mkdir -p /app/media && chown -R keel /app
USER keel

EXPOSE 8000
CMD ["gunicorn", "outsourcing.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
