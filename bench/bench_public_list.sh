#!/usr/bin/env bash
# Public list page under gunicorn (2 workers x 4 threads) on this machine, measured with wrk
# over loopback: builds a database of N filings (default 100,000), serves it, prints req/s.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
PORT=${PORT:-8199}
DIR=bench/out/public-list
mkdir -p "$DIR"
DB="$DIR/list.sqlite3"
if [ ! -f "$DB" ]; then
  .venv/bin/python bench/make_search_dataset.py --n "$N" --url "sqlite:///$PWD/$DB"
fi
export LYXY_INSTANCE_PATH="$PWD/$DIR/instance" LYXY_DATABASE_URL="sqlite:///$PWD/$DB"
export LYXY_SECRET_KEY=bench PORT
.venv/bin/gunicorn -c python:app.gunicorn_conf --access-logfile /dev/null wsgi:app \
  >"$DIR/gunicorn.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.5; done
for url in "/public/commitments" "/public/commitments?page=20" "/api/v1/public/commitments"; do
  wrk -t2 -c16 -d10s "http://127.0.0.1:$PORT$url" | sed -n "1p;/Requests\/sec/p;/Latency/p;/Non-2xx/p;/Socket errors/p"
done
