# SmartShop Chaos Lab: the two commands a user needs are `make up` and `make test`.
# Every target installs what it is missing first (Docker engine, Compose, base images,
# npm packages), so a fresh clone needs nothing done by hand.
SHELL := /bin/bash
.DEFAULT_GOAL := help
SMARTSHOP := node bin/smartshop.js

.PHONY: help up down status logs verify test check unit drills alert-drills host images test-deps deps

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

up: host images deps ## Start the whole lab (Galera x3, HAProxy, shop, Prometheus, exporters) and print its URLs
	$(SMARTSHOP) stack up $(ARGS)

down: deps ## Stop the lab, keeping its data (ARGS=--volumes deletes it)
	$(SMARTSHOP) stack down $(ARGS)

status: deps ## Cluster state, durability profile, containers
	$(SMARTSHOP) stack status

logs: deps ## Follow the lab's logs (ARGS=<service>)
	$(SMARTSHOP) stack logs $(ARGS)

verify: deps ## Compare every Galera node's data (row counts and checksums)
	$(SMARTSHOP) stack verify

test: host images test-deps deps ## Run every check and test (lint, types, unit, integration against real services)
	@# the lab images from this checkout: test files that start a lab with --no-build would
	@# otherwise run whatever images an earlier checkout left on the machine
	$(SMARTSHOP) stack build
	npm test

drills: deps ## Every fault drill against the running lab (make up first; ~30 min), or a group: make drills DRILLS=broker
	$(SMARTSHOP) chaos run $(or $(DRILLS),drills) --yes $(ARGS)

alert-drills: deps ## Every alert drill against the running lab (make up first; ~50 min): each alert fires, is delivered (or inhibited), resolves
	$(SMARTSHOP) chaos run alerts --yes $(ARGS)

check: deps ## Lint and typecheck only
	npm run check

unit: test-deps deps ## Unit tests only (no services needed; installs the host tools they use first)
	npm run test:unit

host: ## Install and start the Docker engine and Compose v2 where missing
	@scripts/host-setup.sh

images: host ## Build the debian/node base images locally when no registry can be reached
	@scripts/build-base-images.sh

test-deps: ## Install the host tools the tests use (mariadbd, chromium, promtool, tmux)
	@scripts/test-deps.sh

deps: node_modules/.package-lock.json

node_modules/.package-lock.json: package-lock.json
	@echo "==> installing npm packages"
	npm ci --no-audit --no-fund
