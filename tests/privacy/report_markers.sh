#!/usr/bin/env bash
# A resident's report leaves no trace of who sent it. Usage: tests/privacy/report_markers.sh path/to/vigie
#
# Starts `vigie serve --demo` (most verbose logging) in a temporary directory, then submits a public
# report over the JSON API from a marked loopback address (127.13.37.42), with forged
# X-Forwarded-For, Forwarded and X-Real-IP headers and a marked user agent, and a JPEG carrying GPS
# coordinates, a camera serial number, make, model and original time (written by exiftool). Then:
#   1. every file under the data directory (database, WAL, journal key, checkpoint log) and the
#      server's log is searched for each marker, while the server runs and after it stopped: zero hits;
#   2. the photo as stored is read back from the database and exiftool finds none of its metadata.
# Needs curl, python3, sqlite3 and exiftool (Debian: libimage-exiftool-perl).
set -euo pipefail

if [ "$#" -ne 1 ]; then
  echo "usage: $0 path/to/vigie" >&2
  exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
for tool in curl python3 sqlite3 exiftool; do
  command -v "$tool" >/dev/null || { echo "privacy: $tool is missing" >&2; exit 2; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/vigie-privacy.XXXXXX")"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# The markers: the client's real address, forged proxy addresses, a user agent, the photo's metadata.
CLIENT_IP=127.13.37.42
FORGED_V4=203.0.113.77
FORGED_V6=2001:db8::77
REAL_IP=198.51.100.23
AGENT="VigieMarkerAgent/9.9 (privacy-check)"
SERIAL=VIGIE-SERIAL-4242
MAKE=VigieMarkerCam
MODEL=MarkerModel-X1
GPS_LAT=43.33021
markers=("$CLIENT_IP" "$FORGED_V4" "$FORGED_V6" "$REAL_IP" "VigieMarkerAgent" "$SERIAL" "$MAKE" "$MODEL" "$GPS_LAT")

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
url="http://127.0.0.1:$port"
(cd "$work" && VIGIE_LOG=trace exec "$bin" serve --demo --listen "127.0.0.1:$port") >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  curl -fsS "$url/healthz" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { echo "privacy: the server stopped"; cat "$work/server.log"; exit 1; }
  sleep 0.2
done

photo="$work/upload.jpg"
cp "$here/photo.jpg" "$photo"
exiftool -q -overwrite_original -GPSLatitude="$GPS_LAT" -GPSLatitudeRef=N -GPSLongitude=5.41433 \
  -GPSLongitudeRef=E -SerialNumber="$SERIAL" -Make="$MAKE" -Model="$MODEL" \
  -DateTimeOriginal="2026:11:20 21:13:00" "$photo"
exiftool -s -GPSLatitude -SerialNumber "$photo" | grep -q SerialNumber \
  || { echo "privacy: the test photo did not get its metadata"; exit 1; }

client() {
  curl -fsS --interface "$CLIENT_IP" -A "$AGENT" \
    -H "X-Forwarded-For: $FORGED_V4, $FORGED_V6" \
    -H "Forwarded: for=$FORGED_V4;proto=https, for=\"[$FORGED_V6]\"" \
    -H "X-Real-IP: $REAL_IP" "$@"
}

challenge="$(client "$url/api/v1/public/reports/challenge")"
body="$work/report.json"
python3 - "$challenge" "$photo" "$body" <<'EOF'
import base64, hashlib, json, sys
challenge = json.loads(sys.argv[1])
nonce, bits = challenge["token"].split(".")[0], int(challenge["token"].split(".")[1])
n = 0
while True:
    digest = hashlib.sha256(f"{nonce}:{n}".encode()).digest()
    if int.from_bytes(digest, "big") >> (256 - bits) == 0:
        break
    n += 1
with open(sys.argv[2], "rb") as f:
    photo = base64.b64encode(f.read()).decode()
json.dump({
    "proof": {"token": challenge["token"], "solution": n},
    "report": {
        "category": "fixed_sale", "commune": "13055", "place": "Pied du bâtiment B",
        "lat": 43.3302, "lon": 5.4143, "days": ["friday"], "slots": ["evening"],
        "since": "weeks", "description": "Vente tous les soirs devant le hall, deux guetteurs.",
    },
    "photos": [photo],
}, open(sys.argv[3], "w"))
EOF
answer="$(client -H 'Content-Type: application/json' --data-binary "@$body" "$url/api/v1/public/reports")"
echo "$answer" | python3 -c 'import json,sys; r=json.load(sys.stdin)["receipt"]; assert len(r.replace(" ",""))==16, r' \
  || { echo "privacy: no receipt in $answer"; exit 1; }
echo "privacy: report submitted, receipt received"

search_markers() {
  local when="$1" found=0
  for marker in "${markers[@]}"; do
    if grep -r -a -F -l -- "$marker" "$work/vigie-data" "$work/server.log" 2>/dev/null; then
      echo "privacy: marker '$marker' found $when" >&2
      found=1
    fi
  done
  return $found
}
search_markers "while the server runs"

# The photo as stored: decoded from the database, checked by exiftool.
stored="$work/stored.jpg"
sqlite3 "$work/vigie-data/demo.db" "SELECT body FROM workflow_records WHERE kind = 'report-photo'" \
  | base64 -d >"$stored"
test -s "$stored" || { echo "privacy: no stored photo"; exit 1; }
left="$(exiftool -s -s -s -GPS:all -SerialNumber -Make -Model -DateTimeOriginal -XMP:all -IPTC:all "$stored" || true)"
if [ -n "$left" ]; then
  echo "privacy: the stored photo still has metadata:"; echo "$left"; exit 1
fi
exiftool -s -s -s -FileType "$stored" | grep -qx JPEG || { echo "privacy: the stored photo is not a JPEG"; exit 1; }
echo "privacy: the stored photo has no GPS, serial, make, model, time, XMP or IPTC"

kill -TERM "$pid"
wait "$pid" 2>/dev/null || true
pid=""
search_markers "after the server stopped"
echo "privacy: none of ${#markers[@]} markers in $(find "$work/vigie-data" -type f | wc -l) data files or the log"
