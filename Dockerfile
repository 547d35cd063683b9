# civica in a container: the service only; PostgreSQL is a separate server named by DATABASE_URL.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    CIVICA_ENV=production \
    CIVICA_EMBEDDED_DB=0 \
    CIVICA_HOST=0.0.0.0 \
    CIVICA_PORT=8000 \
    CIVICA_DATA_DIR=/var/lib/civica

RUN useradd --system --create-home --home-dir /var/lib/civica --shell /usr/sbin/nologin civica

WORKDIR /src
COPY pyproject.toml README.md ./
COPY service ./service
COPY ballots ./ballots
COPY proposals ./proposals
COPY verification ./verification
COPY templates ./templates
COPY sql ./sql
COPY static ./static
COPY docs/examples ./docs/examples
RUN pip install . && rm -rf /src

USER civica
WORKDIR /var/lib/civica
# Keys are generated here at first start; mount a volume so they survive the container.
VOLUME ["/var/lib/civica"]
EXPOSE 8000
CMD ["civica", "serve"]
