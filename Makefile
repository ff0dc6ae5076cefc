# IVIG & myositis assistant. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
.DEFAULT_GOAL := help

# The virtualenv lives outside the clone, keyed by the lock file, so a clean clone
# (CI) reuses an install that is byte-for-byte what the lock asks for.
CACHE_DIR ?= $(HOME)/.cache/ivig-assistant
NLU_MIN_ACCURACY ?= 0.90
LOCK_HASH := $(shell sha256sum requirements.lock | cut -c1-16)
VENV_REAL := $(CACHE_DIR)/venv-$(LOCK_HASH)
# The widget's front-end packages (socket.io-client; axe-core for the accessibility tests) from
# the npm registry, keyed the same way.
WEB_DIR := bot/rasa_server/channels/web
WEB_HASH := $(shell cat $(WEB_DIR)/package.json $(WEB_DIR)/package-lock.json | sha256sum | cut -c1-16)
WEB_REAL := $(CACHE_DIR)/web-$(WEB_HASH)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

# Runtime defaults (documented in README.md); override in the environment.
export RASA_HOST ?= 127.0.0.1
export RASA_PORT ?= 5005
export ACTION_SERVER_HOST ?= 127.0.0.1
export ACTION_SERVER_PORT ?= 5055
export ACTION_SERVER_URL ?= http://127.0.0.1:$(ACTION_SERVER_PORT)/webhook
export ACTION_SERVER_TOKEN ?=
export ACTION_TIMEOUT_SECONDS ?= 8
export TRACKER_STORE_TYPE ?= SQL
export TRACKER_DB_DIALECT ?= sqlite
export TRACKER_DB_NAME ?= $(CURDIR)/ivig-tracker.db
# Scale-out (README, "From one machine to a cluster"): shared tracker and lock stores.
export TRACKER_DB_URL ?=
export LOCK_STORE_URL ?=
export TF_CPP_MIN_LOG_LEVEL ?= 2
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1
export RASA_TELEMETRY_ENABLED ?= false
# Twilio (SMS, WhatsApp): empty means the channel refuses every request.
export TWILIO_ACCOUNT_SID ?=
export TWILIO_AUTH_TOKEN ?=
export TWILIO_SMS_NUMBER ?=
export TWILIO_WHATSAPP_NUMBER ?=
export TWILIO_API_BASE_URL ?= https://api.twilio.com
export TWILIO_PUBLIC_URL ?=
# Web widget: page origins allowed to open a socket (comma-separated).
export SOCKETIO_ALLOWED_ORIGINS ?= http://localhost:$(RASA_PORT),http://127.0.0.1:$(RASA_PORT)
# Agent console: empty keeps it closed; `make run` makes a development token in var/.
export AGENT_ACCESS_TOKEN ?=
export AGENT_JWT_SECRET ?=
export AGENT_SESSION_HOURS ?= 8
# Security (README, "Security"): the console's allowed origins (empty: its own), the reverse
# proxies whose X-Forwarded-For is believed, rate limits per client address, body limits,
# an optional key for the REST channel, the bot's public URL for the pages' CSP.
export AGENT_ALLOWED_ORIGINS ?=
export TRUSTED_PROXIES ?= 127.0.0.1,::1
export RATE_LIMIT_PER_ADDRESS_PER_MINUTE ?=
export RATE_LIMIT_EXEMPT_ADDRESSES ?= 127.0.0.1,::1
export MAX_REQUEST_BYTES ?= 65536
export ACTION_SERVER_MAX_BYTES ?= 2000000
export REST_ACCESS_TOKEN ?=
export BOT_PUBLIC_URL ?=

.PHONY: help
help:
	@echo "make run     install if needed, train if the data changed, start the assistant"
	@echo "make test    the whole suite (lint, data validation, training, conversation,"
	@echo "             NLU held-out gate, unit and integration tests)"
	@echo "make shell   chat in the terminal"
	@echo "make train   train only if config, domain, data or NLU code changed"
	@echo "make bench   this bot against a stock rasa init bot (reports/bench.json, .png)"
	@echo "make lock    regenerate requirements.lock from requirements.in"

# ---------------------------------------------------------------- install
# No timestamp prerequisites: the path already carries the lock's hash, and a fresh clone's
# files are all newer than the cached install.
$(VENV_REAL)/.complete:
	@py=$$(scripts/find-python.sh) || exit 1; \
	echo "Creating $(VENV_REAL) with $$py"; \
	rm -rf "$(VENV_REAL)" && mkdir -p "$(CACHE_DIR)" && \
	"$$py" -m venv "$(VENV_REAL)" && \
	"$(VENV_REAL)/bin/pip" install --quiet --disable-pip-version-check 'pip==23.3.2' && \
	"$(VENV_REAL)/bin/pip" install --quiet --disable-pip-version-check \
	    --cache-dir "$(CACHE_DIR)/pip" -r requirements.lock && \
	"$(VENV_REAL)/bin/pip" check && \
	touch "$@"

$(WEB_REAL)/.complete:
	@command -v npm >/dev/null || { echo "npm (Node.js) is needed for the web widget: apt-get install nodejs npm" >&2; exit 1; }
	@echo "Installing the widget's packages into $(WEB_REAL)"
	@rm -rf "$(WEB_REAL)" && mkdir -p "$(WEB_REAL)" && \
	cp $(WEB_DIR)/package.json $(WEB_DIR)/package-lock.json "$(WEB_REAL)/" && \
	npm ci --prefix "$(WEB_REAL)" --no-audit --no-fund --loglevel=error 2>&1 | grep -v nodedir || true
	@test -f "$(WEB_REAL)/node_modules/socket.io-client/dist/socket.io.min.js" && \
	  test -f "$(WEB_REAL)/node_modules/axe-core/axe.min.js" && touch "$@"

.PHONY: install
install: $(VENV_REAL)/.complete $(WEB_REAL)/.complete
	@if [ "$$(readlink $(VENV) 2>/dev/null)" != "$(VENV_REAL)" ]; then rm -rf $(VENV) && ln -s "$(VENV_REAL)" $(VENV); fi
	@if [ "$$(readlink $(WEB_DIR)/node_modules 2>/dev/null)" != "$(WEB_REAL)/node_modules" ]; then \
	  rm -rf $(WEB_DIR)/node_modules && ln -s "$(WEB_REAL)/node_modules" $(WEB_DIR)/node_modules; fi

.PHONY: lock
lock:
	@py=$$(scripts/find-python.sh) || exit 1; tmp=$$(mktemp -d); \
	"$$py" -m venv $$tmp/v && $$tmp/v/bin/pip install --quiet 'pip==23.3.2' && \
	$$tmp/v/bin/pip install --quiet -r requirements.in && $$tmp/v/bin/pip check && \
	{ echo "# Generated by 'make lock' from requirements.in on Python 3.10. Do not edit by hand."; \
	  $$tmp/v/bin/pip freeze --exclude-editable; } > requirements.lock; \
	status=$$?; rm -rf $$tmp; exit $$status  # a failed install fails the target

# ---------------------------------------------------------------- train
.PHONY: train
train: install
	@$(PY) -m bot.tools.modelfile train

# ---------------------------------------------------------------- run
.PHONY: run
run: train
	@bash scripts/run.sh

.PHONY: shell
shell: train
	@bash scripts/run.sh --shell

# ---------------------------------------------------------------- checks
.PHONY: lint
lint: install
	$(BIN)/ruff check bot actions tests scripts
	$(BIN)/ruff format --check bot actions tests scripts
	$(BIN)/lint-imports  # process boundaries (.importlinter)

.PHONY: validate
validate: install
	@bash scripts/validate.sh

.PHONY: test
test: lint validate train test-rasa  ## The whole suite
	$(BIN)/pytest -p no:cacheprovider tests

.PHONY: test-rasa
test-rasa: install  ## rasa test (stories and held-out NLU) and the accuracy gate; needs a trained model
	@rm -rf reports/rasa-test && mkdir -p reports
	@echo "rasa test: conversation stories and the held-out NLU set (log: reports/rasa-test.log)"
	@$(BIN)/rasa test --model "$$($(PY) -m bot.tools.modelfile path)" \
	    --stories tests/conversations --nlu tests/nlu/heldout.yml \
	    --fail-on-prediction-errors --out reports/rasa-test > reports/rasa-test.log 2>&1 \
	  || { tail -n 60 reports/rasa-test.log; exit 1; }
	@$(PY) -m bot.tools.evaluation gate reports/rasa-test --min $(NLU_MIN_ACCURACY)

# ---------------------------------------------------------------- benchmark
.PHONY: bench
bench: install  ## this bot vs a stock `rasa init` bot: latency, throughput, start-up, memory, training
	@$(PY) -m tests.bench
