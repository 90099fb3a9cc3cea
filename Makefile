# SMP Consult. `make help` lists the targets; `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
# Every command runs with .env / .env.example settings loaded (scripts/with_env.py).
WITH_ENV := $(VENV)/bin/python scripts/with_env.py
MODEL := models/smp-consult.tar.gz
TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null) $(wildcard nlu_components/*.py)
# The held-out NLU test set must reach this intent accuracy or `make test` fails (it scores 0.981).
MIN_NLU_ACCURACY ?= 0.95
# Real questions people asked about SMP in public, kept outside the project (never copied into it).
NLU_REAL ?= ../shared/nlu-real

.PHONY: help install browser migrate staff-user export-reviewed bench-staff validate train run shell resume erase purge test pytest test-stories test-nlu eval eval-real eval-baseline eval-diet bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-25s %s\n", $$1, $$2}'

install: ## Create .venv with Python 3.10, install pinned requirements, the spaCy and sentence-embedding models and the chat widget (PYTHON=... to choose)
	@bash scripts/install.sh
	@bash scripts/install_widget.sh
	@$(VENV)/bin/python scripts/local_secrets.py

browser: ## Install Debian's chromium and chromium-driver for the browser tests (apt-get; make test does this)
	@bash scripts/install_browser.sh

migrate: install ## Create or upgrade the clinic database's tables (DATABASE_URL; alembic)
	$(WITH_ENV) python -m records.cli migrate

validate: install ## Check the training data and domain (rasa data validate --fail-on-warnings)
	@mkdir -p results
	$(WITH_ENV) rasa data validate --fail-on-warnings 2>&1 | tee results/validate.log; test $${PIPESTATUS[0]} -eq 0
	$(WITH_ENV) python scripts/check_validation.py results/validate.log

train: validate $(MODEL) ## Validate, then train the model into models/ (only when its inputs changed)

$(MODEL): $(TRAINING_INPUTS)
	$(WITH_ENV) rasa train --fixed-model-name smp-consult --out models
	@touch $(MODEL)

run: install migrate $(MODEL) ## Start everything: the clinic site with the chat widget (8080), staff console (8081), Rasa (5005), actions (5055), delivery; Ctrl-C stops all
	@$(WITH_ENV) python scripts/check_ports.py
	@$(WITH_ENV) bash -c 'echo "Clinic site:     http://localhost:$$SITE_PORT/  (the chat widget is on this page)"; \
		echo "Staff console:   http://$$CONSOLE_HOST:$$CONSOLE_PORT/  (accounts: make staff-user EMAIL=...)"; \
		echo "Rasa server:     http://localhost:$$RASA_PORT  (REST: /webhooks/rest/webhook, socket.io: /socket.io)"; \
		echo "Action server:   http://localhost:$$ACTION_SERVER_PORT  (health: /health)"; \
		if [ -n "$$BOOKING_WEBHOOK_URL" ]; then echo "Delivery worker: sends consultation requests to $$BOOKING_WEBHOOK_URL"; \
		else echo "Delivery worker: BOOKING_WEBHOOK_URL is not set, so requests wait in the outbox"; fi; \
		echo "Ctrl-C stops them all."'
	$(WITH_ENV) honcho start --env /dev/null -f Procfile

shell: install migrate $(MODEL) ## Talk to the assistant in this terminal
	$(WITH_ENV) bash scripts/shell.sh

staff-user: install migrate ## Create a staff console account (or reset its password): make staff-user EMAIL=you@clinic [ROLE=admin] [PASSWORD=...]
	@test -n "$(EMAIL)" || { echo "staff-user: say whose account: make staff-user EMAIL=you@your-clinic.co.uk [ROLE=admin]" >&2; exit 2; }
	$(WITH_ENV) python -m console.cli create-user "$(EMAIL)" --role "$(or $(ROLE),staff)"

export-reviewed: install migrate ## Write messages staff marked as misunderstood as NLU examples and test candidates (results/reviewed/)
	$(WITH_ENV) python -m console.reviewed --out results/reviewed

resume: install ## Hand a paused conversation back to the assistant: make resume SENDER=<conversation id>
	$(WITH_ENV) python -m scripts.resume "$(SENDER)"

erase: install migrate ## Erase one conversation and its requests (staff): make erase SENDER=<conversation id>
	$(WITH_ENV) python -m records.cli erase "$(SENDER)"

purge: install migrate ## Delete conversations and requests older than the retention period (profile or RETENTION_DAYS)
	$(WITH_ENV) python -m records.cli purge

test: validate $(MODEL) pytest test-stories test-nlu ## Everything CI runs: validation, training, pytest (incl. browser tests), conversation tests, NLU test set
	@echo "make test: all checks passed."

pytest: install browser
	$(WITH_ENV) python -m pytest

test-stories: install $(MODEL)
	$(WITH_ENV) rasa test core --e2e --model $(MODEL) --stories tests/test_stories.yml \
		--fail-on-prediction-errors --out results/stories

test-nlu: install $(MODEL)
	$(WITH_ENV) rasa test nlu --model $(MODEL) --nlu tests/nlu/test_nlu.yml --out results/nlu-test
	$(WITH_ENV) python scripts/nlu_report.py results/nlu-test --min-accuracy $(MIN_NLU_ACCURACY)

eval: install $(MODEL) ## NLU report: 5-fold cross-validation and the held-out test set, written to results/
	$(WITH_ENV) python scripts/eval_config.py config.yml results/config-eval.yml
	$(WITH_ENV) rasa test nlu --nlu data/nlu --config results/config-eval.yml --cross-validation --folds 5 --out results/cross-validation
	$(WITH_ENV) rasa test nlu --model $(MODEL) --nlu tests/nlu/test_nlu.yml --out results/nlu-test
	$(WITH_ENV) python scripts/nlu_report.py results/cross-validation results/nlu-test
	$(WITH_ENV) python -m scripts.fallback_threshold --model $(MODEL) --nlu tests/nlu/test_nlu.yml tests/nlu/fallback.yml \
		$(if $(wildcard $(NLU_REAL)/real_questions_dev.tsv),--real $(NLU_REAL)/real_questions_dev.tsv)

eval-real: install $(MODEL) ## Score the model on real questions people asked ($(NLU_REAL)): the figure clients see
	@if [ ! -f "$(NLU_REAL)/score.py" ]; then \
		echo "eval-real: no real-question set at $(NLU_REAL) (its score.py is missing), so nothing was scored."; \
		echo "eval-real: put the set there or run: make eval-real NLU_REAL=/path/to/nlu-real"; exit 2; fi
	@mkdir -p results
	$(WITH_ENV) env PYTHONPATH=. python $(NLU_REAL)/score.py 2>&1 | grep -v '\[debug' | tee results/real-questions.txt; \
		test $${PIPESTATUS[0]} -eq 0
	$(WITH_ENV) python -m scripts.fallback_threshold --model $(MODEL) --real $(NLU_REAL)/real_questions_dev.tsv \
		| tee results/real-questions-fallback.txt

eval-baseline: install ## The same report for the pipeline without spaCy features (eval/config-without-spacy.yml)
	$(WITH_ENV) rasa test nlu --nlu data/nlu --config eval/config-without-spacy.yml --cross-validation --folds 5 --out results/baseline-cross-validation
	$(WITH_ENV) rasa train nlu --config eval/config-without-spacy.yml --fixed-model-name baseline --out results/baseline-model
	$(WITH_ENV) rasa test nlu --model results/baseline-model/baseline.tar.gz --nlu tests/nlu/test_nlu.yml --out results/baseline-nlu-test
	$(WITH_ENV) python scripts/nlu_report.py results/baseline-cross-validation results/baseline-nlu-test

eval-diet: install ## The same report with DIET in place of the linear intent classifier (eval/config-diet.yml)
	$(WITH_ENV) rasa test nlu --nlu data/nlu --config eval/config-diet.yml --cross-validation --folds 5 --out results/diet-cross-validation
	$(WITH_ENV) rasa train nlu --config eval/config-diet.yml --fixed-model-name diet --out results/diet-model
	$(WITH_ENV) rasa test nlu --model results/diet-model/diet.tar.gz --nlu tests/nlu/test_nlu.yml --out results/diet-nlu-test
	$(WITH_ENV) python scripts/nlu_report.py results/diet-cross-validation results/diet-nlu-test

bench: install $(MODEL) ## Print per-message parse time and the Rasa server's memory
	$(WITH_ENV) python -m scripts.bench --model $(MODEL)

bench-staff: install ## Seed 10,000 conversations and print the staff console's p50/p95 page times
	$(WITH_ENV) python -m scripts.bench_staff

clean: ## Remove trained models, results and caches (keeps .venv)
	rm -rf models/*.tar.gz results .rasa .pytest_cache
