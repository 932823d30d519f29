#!/usr/bin/env bash
# The journal tamper checks, through the command line a deployment would use: `vigie journal verify`
# must exit 0 on an intact journal, and exit 2 naming the first bad entry after the database file is
# edited behind Vigie's back. (The engine tests cover each attack; this checks the CLI's wiring.)
# Usage: tamper.sh path/to/vigie
set -euo pipefail
vigie=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export VIGIE_DB=sqlite://vigie-data/vigie.db
"$vigie" synth --seed 7 --people 50 >/dev/null
"$vigie" journal checkpoint
"$vigie" journal verify

expect_tamper() {
  local label=$1 sql=$2 expected=$3
  rm -rf attack && cp -r vigie-data attack
  sqlite3 attack/vigie.db "SELECT 'DROP TRIGGER \"' || name || '\";' FROM sqlite_master WHERE type='trigger'" | sqlite3 attack/vigie.db
  sqlite3 attack/vigie.db "$sql"
  set +e
  output=$("$vigie" journal verify --db sqlite://attack/vigie.db --journal-key attack/journal.key --checkpoints attack/journal-checkpoints.log 2>&1)
  code=$?
  set -e
  if [ "$code" -ne 2 ] || ! grep -q "première entrée en cause : n° $expected\$" <<<"$output"; then
    echo "FAIL $label: exit $code, output: $output"; exit 1
  fi
  echo "ok   $label -> entry $expected named"
}

last=$(sqlite3 vigie-data/vigie.db "SELECT max(seq) FROM journal")
expect_tamper "edited entry" "UPDATE journal SET motif='x' WHERE seq=12" 12
expect_tamper "deleted entry" "DELETE FROM journal WHERE seq=20" 20
expect_tamper "truncated tail" "DELETE FROM journal WHERE seq>$((last - 5)); DELETE FROM journal_checkpoints" $((last - 4))
expect_tamper "entry appended by hand" "INSERT INTO journal SELECT seq+1, at_micros, actor, unit, action, object, motif, outcome, request_id, leaf_hash, mac, shown FROM journal WHERE seq=$last" $((last + 1))
