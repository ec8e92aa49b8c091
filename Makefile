# Two commands for a newcomer: `make run` (set up, seed the demo, serve) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist test processes for `make test`: one per CPU core, each with its own test database;
# PYTEST_WORKERS=0 runs every test in one process.
PYTEST_WORKERS ?= auto

.PHONY: run test lint security fmt migrate seed clean bench

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

.env:
	@cp .env.example .env
	@$(PYTHON) -c "import secrets,re,pathlib; p=pathlib.Path('.env'); p.write_text(re.sub(r'(?m)^SECRET_KEY=$$', 'SECRET_KEY='+secrets.token_urlsafe(50), p.read_text()))"
	@echo "Created .env for local development (DEBUG on, SQLite unless DATABASE_URL is set)."

migrate: $(STAMP) .env
	$(PY) manage.py migrate --no-input

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	@echo ""
	@echo "Rebound is starting on http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	@echo "Demo logins, all with the password 'rebound-demo':"
	@echo "  admin@demo.example         clinic admin, Demo Sports PT"
	@echo "  therapist@demo.example     physical therapist, Demo Sports PT"
	@echo "  patient@demo.example       patient (Maya Chen), Demo Sports PT"
	@echo "  coach@demo.example         coach on Maya's care team"
	@echo "  nutritionist@demo.example  nutritionist on Maya's care team"
	@echo "  therapist@riverside.example  physical therapist, Riverside Physio"
	@echo "  admin@riverside.example    clinic admin, Riverside Physio"
	@echo ""
	@# The web server, a Celery worker and beat (Procfile), stopped together by Ctrl-C. The broker
	@# is Redis when it answers, else a folder queue under var/ (clinic/celery.py). The queue is
	@# this checkout's own (REBOUND_INSTANCE in clinic/settings.py), so checkouts can share Redis.
	@broker=$$($(PY) -c "from clinic.celery import local_broker_url; print(local_broker_url())"); \
	  echo "Background jobs: a Celery worker and beat, broker $$broker"; \
	  REBOUND_HOST=$(HOST) REBOUND_PORT=$(PORT) $(PY) -c "from clinic.celery import app; \
	    from django.conf import settings as s; print('Their queue:', app.conf.task_default_queue, \
	    '- links in e-mails start with', s.SITE_URL)"; \
	  CELERY_BROKER_URL=$$broker REBOUND_HOST=$(HOST) REBOUND_PORT=$(PORT) \
	  $(VENV)/bin/honcho start -f Procfile

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Medium and high findings fail; tests are excluded and each `# nosec` says why (pyproject.toml).
security: $(STAMP)
	$(VENV)/bin/bandit -c pyproject.toml -r . -ll -q

fmt: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: $(STAMP) .env lint security
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Issue 13's measures at clinic-network scale, each beside its floor (docs/performance.md). Needs
# DATABASE_URL to PostgreSQL; builds its own database there. BENCH_ARGS="--scale 0.1 --keep".
bench: $(STAMP) .env
	$(PY) bench/scale.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles artifacts .pytest_cache .ruff_cache .hypothesis
