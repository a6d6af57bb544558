#!/usr/bin/env bash
# Make sure the PostgreSQL server the ledger tests use (127.0.0.1:5432, database test) answers.
set -uo pipefail
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then exit 0; fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
for _ in $(seq 1 30); do
    pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && exit 0
    sleep 1
done
echo "ensure-postgres: PostgreSQL at 127.0.0.1:5432 does not answer; PostgreSQL tests will be skipped" >&2
exit 0
