#!/usr/bin/env bash
# The suite again at faked dates and machine time zones (Debian's faketime), so that a test or a
# piece of code that reads the machine's date or zone cannot pass by luck on the day it was
# written. Each run starts just before a boundary it then crosses: a month's end far ahead of
# UTC, a 29 February crossing into March, New Year's Eve crossing into the new year.
# Left out: the WordPress and MediaWiki tests and the browser tests (the dashboard, the queue monitor), which
# start programs of their own (MariaDB and PHP, PHP and SQLite; Chromium) that are not meant to run under
# libfaketime; they run at the real date in `npm test`. And the Redis Cluster test (six servers
# and a failover), the stopped-read test (workers stopped and killed mid-read) and the Data
# Explorer test (PostgreSQL, with runs spaced seconds apart; its period comes from the test, not
# the machine's date): about failing over, stopping and a database, not dates, and the slowest of
# the suite (the same code runs here otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v faketime >/dev/null || { echo "scripts/test-at-dates.sh: faketime is not installed: it comes with Debian's faketime package (scripts/system-packages.sh test installs it)" >&2; exit 1; }

RUNS=(
  "Pacific/Kiritimati|2027-02-28 23:59:30"
  "America/St_Johns|2028-02-29 23:59:30"
  "UTC|2026-12-31 23:59:30"
)
for run in "${RUNS[@]}"; do
  zone=${run%%|*}
  at=${run#*|}
  echo "== the suite at a faked date: $at in $zone"
  TZ=$zone faketime "$at" npx vitest run --exclude 'test/wordpress/**' --exclude 'test/mediawiki/**' --exclude test/admin.test.ts --exclude test/queues-board.test.ts \
    --exclude test/redis-cluster.test.ts --exclude test/resume.test.ts \
    --exclude test/adapters/discourse-explorer.test.ts
done
