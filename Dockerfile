# One image for the API, the workers, beat and the migration (compose.yaml picks the command).
FROM python:3.12-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN python -m venv /venv
# The dependencies first, in a layer of their own: it is rebuilt only when pyproject.toml changes.
COPY pyproject.toml README.md ./
RUN mkdir -p domain integrations service worker api cli \
 && for p in domain integrations service worker api cli; do touch $p/__init__.py; done \
 && /venv/bin/pip install . && /venv/bin/pip uninstall -y netgoals
COPY domain domain
COPY integrations integrations
COPY service service
COPY worker worker
COPY api api
COPY cli cli
RUN /venv/bin/pip install --no-deps .

FROM python:3.12-slim
RUN useradd --create-home --uid 10001 netgoals && mkdir /data && chown netgoals /data
COPY --from=build /venv /venv
ENV PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1 NETGOALS_HOME=/data
USER netgoals
WORKDIR /home/netgoals
EXPOSE 8000
CMD ["netgoals", "api", "--host", "0.0.0.0", "--port", "8000"]
