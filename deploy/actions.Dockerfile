# The action server: screening rules, knowledge answers, the lead store and its outbox.
#   docker build -f deploy/actions.Dockerfile -t ivig-actions .
# Untested here (no Docker daemon in CI); it repeats what `make install` does.
FROM python:3.10-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1
WORKDIR /app
COPY requirements.lock .
RUN pip install 'pip==23.3.2' && pip install -r requirements.lock && pip check
RUN useradd --create-home --uid 1001 actions
COPY data data
COPY bot bot
COPY actions actions
USER 1001
EXPOSE 5055
# It refuses to listen beyond loopback without ACTION_SERVER_TOKEN (bot/action_server/server.py).
ENV ACTION_SERVER_HOST=0.0.0.0 ACTION_SERVER_PORT=5055
HEALTHCHECK --interval=15s --timeout=3s CMD python -c \
    "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5055/health', timeout=2)"
CMD ["python", "-m", "bot.action_server"]
