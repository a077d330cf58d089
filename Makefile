# 信用文书服务 — the targets the README names. Everything installs what it needs itself.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Debian packages WeasyPrint needs (pango, HarfBuzz subsetting: without it CJK is ~70x slower),
# poppler-utils for the PNG previews in samples/, nginx for the buffering front (app/front.py),
# LibreOffice Writer (headless) for the tests that open our DOCX files (test_docx_libreoffice.py).
DEB_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
	libfontconfig1 poppler-utils nginx libzbar0 libreoffice-writer-nogui
export LYXY_INSTANCE_PATH ?= $(CURDIR)/instance

.PHONY: run test setup setup-dev system-deps venv venv-dev fonts db lint samples bench clean

run: setup db  ## set up everything, then serve on http://127.0.0.1:$(PORT) (nginx in front of gunicorn)
	PORT=$(PORT) $(PY) -m app.front

test: setup-dev  ## the whole test suite (SQLite by default; LYXY_TEST_DATABASE_URL for PostgreSQL)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

setup: system-deps venv fonts

setup-dev: setup venv-dev

system-deps:
	@missing=$$(for p in $(DEB_PACKAGES) $$($(PYTHON) -c 'import ensurepip' 2>/dev/null || echo python3-venv); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "安装系统依赖: $$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
			if printf '%s\n' $$missing | grep -qx nginx && command -v systemctl >/dev/null \
				&& systemctl is-active -q nginx 2>/dev/null; then \
				echo "只需 nginx 程序：停用软件包自带的系统服务（其默认站点监听 80 端口）"; \
				systemctl disable --now -q nginx; \
			fi; \
		else \
			echo "缺少系统依赖，请先运行: sudo apt-get install -y $$missing"; exit 1; \
		fi; \
	fi

# Runtime packages only (requirements.txt); tests, lint and benchmarks add requirements-dev.txt.
# Both are pinned with hashes, so pip refuses anything else. Each marker is re-made when its files change.
$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --require-hashes -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements.txt requirements-dev.txt
	$(PY) -m pip install -q --require-hashes -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

venv-dev: $(VENV)/.installed-dev

fonts: venv
	$(PY) scripts/fetch_fonts.py

db: venv
	$(VENV)/bin/flask --app wsgi init-db
	$(VENV)/bin/flask --app wsgi init-pki
	$(VENV)/bin/flask --app wsgi load-demo
	$(VENV)/bin/flask --app wsgi load-samples

lint: venv-dev
	$(VENV)/bin/ruff check .

samples: setup  ## regenerate samples/ (input JSON, PDF, DOCX, PNG of page 1)
	$(VENV)/bin/flask --app wsgi make-samples

bench: setup-dev  ## print rendering figures (median and p95)
	$(PY) bench/bench_render.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
