# Hotwork entry points. Each target installs what it needs into .venv first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WEB_SERVER_ADDRESS ?= 127.0.0.1:8000
export WEB_SERVER_ADDRESS

.PHONY: install run up down test test-unit bench lint fmt recognise rebuild clean \
	sip-fixtures test-peers bench-peers

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,ocr]'
	touch $(STAMP)

install: $(STAMP)

## The embedded suite: every service in one process, no server to install.
run: $(STAMP)
	@mkdir -p var
	@echo "Hotwork (embedded) on http://$(WEB_SERVER_ADDRESS)/api/v1"
	@echo "  API document: http://$(WEB_SERVER_ADDRESS)/api/v1/openapi.json"
	@echo "  a token:      curl -s -X POST http://$(WEB_SERVER_ADDRESS)/api/v1/dev/tokens \\"
	@echo "                  -d '{\"role\": \"enterprise\", \"credit_code\": \"91110118923E942H3G\"}'"
	$(BIN)/nameko run --config config/embedded.yml services.embedded

## Each service its own process against RabbitMQ and PostgreSQL (see README).
up: $(STAMP)
	$(BIN)/python -m services.cluster up

down: $(STAMP)
	$(BIN)/python -m services.cluster down

## Debian packages some tests and benchmarks use as real peers: SIPp, the
## Kamailio registrar, CJK fonts to render clean documents. Installed when
## missing and we are root; otherwise the tests that need them skip.
TEST_PACKAGES := sip-tester fonts-wqy-zenhei fonts-wqy-microhei fonts-arphic-uming
BENCH_PACKAGES := $(TEST_PACKAGES) kamailio

define install_missing
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -qq --no-install-recommends $$missing; \
		else echo "not installed (tests that need them skip):" $$missing; fi; \
	fi
endef

test-peers:
	$(call install_missing,$(TEST_PACKAGES))

bench-peers:
	$(call install_missing,$(BENCH_PACKAGES))

## Every test, against real RabbitMQ and PostgreSQL.
test: $(STAMP) test-peers
	$(BIN)/pytest -q

test-unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

## Figures, each beside a raw baseline measured in the same run.
bench: $(STAMP) bench-peers
	$(BIN)/python -m tests.bench.filing
	$(BIN)/python -m services.devices.bench
	$(BIN)/python -m services.ocr.bench
	$(BIN)/python -m services.signalling.bench

## Recognise every photo in DIR into OUT (JSON); accuracy where labels lie beside.
recognise: $(STAMP)
	$(BIN)/python -m services.ocr.recognise $(DIR) $(OUT)

## Import construction units (CSV: name,credit_code) into the ocr database.
.PHONY: import-units
import-units: $(STAMP)
	$(BIN)/python -m services.ocr.units import $(FILE)

## A standalone SIP server in the world of shared/fixtures/sip: platform
## 34020000002000000001, domain 3402000000, its camera and NVR, fixed nonce.
sip-fixtures: $(STAMP)
	$(BIN)/python -m services.signalling --address $(or $(SIP_ADDRESS),127.0.0.1:5060) --fixtures

rebuild: $(STAMP)
	$(BIN)/python -m services.query.rebuild_command

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf var
