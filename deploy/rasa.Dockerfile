# The Rasa server: chat channels, widget page, agent console. Build from the repository root:
#   docker build -f deploy/rasa.Dockerfile -t ivig-rasa .
# Untested here (no Docker daemon in CI); it repeats what `make install` and `make train` do.

FROM node:20-bookworm-slim AS web
WORKDIR /web
COPY bot/rasa_server/channels/web/package.json bot/rasa_server/channels/web/package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.10-slim-bookworm AS base
ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TF_CPP_MIN_LOG_LEVEL=2 RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1
WORKDIR /app
COPY requirements.lock .
RUN pip install 'pip==23.3.2' && pip install -r requirements.lock && pip check

FROM base AS train
COPY config.yml domain.yml ./
COPY data data
COPY bot bot
RUN python -m bot.tools.modelfile train

FROM base
RUN useradd --create-home --uid 1001 rasa
COPY config.yml domain.yml endpoints.yml credentials.yml ./
COPY data data
COPY bot bot
COPY --from=web /web/node_modules bot/rasa_server/channels/web/node_modules
COPY --from=train /app/models models
USER 1001
EXPOSE 5005
# Environment: see README "Environment variables"; TRACKER_DB_URL and LOCK_STORE_URL for replicas.
ENV RASA_HOST=0.0.0.0 RASA_PORT=5005 TRACKER_DB_DIALECT=sqlite TRACKER_DB_NAME=/tmp/tracker.db \
    TRACKER_DB_URL= LOCK_STORE_URL= ACTION_SERVER_URL=http://actions:5055/webhook \
    ACTION_SERVER_TOKEN= SOCKETIO_ALLOWED_ORIGINS= AGENT_ACCESS_TOKEN= AGENT_JWT_SECRET= \
    AGENT_SESSION_HOURS=8 TWILIO_ACCOUNT_SID= TWILIO_AUTH_TOKEN= TWILIO_SMS_NUMBER= \
    TWILIO_WHATSAPP_NUMBER= TWILIO_API_BASE_URL=https://api.twilio.com TWILIO_PUBLIC_URL=
CMD exec python -m bot.rasa_server run --model "$(python -m bot.tools.modelfile path)" --endpoints endpoints.yml \
    --credentials credentials.yml --interface "$RASA_HOST" --port "$RASA_PORT"
