#!/usr/bin/env python3
"""Crash test: `kill -9` of the server while clients write, N rounds.

After each restart, every write the server acknowledged (HTTP 201) must be readable again through the
API, `vigie check` must pass (database integrity, invariants, journal verification), and every journal
sequence number returned to a client must exist. Also checks that a corrupted database file is refused.

Usage: kill9.py path/to/vigie [rounds]
"""

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

VIGIE = os.path.abspath(sys.argv[1])
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 10
WRITERS = 4


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(base, method, path, body=None, token=None, timeout=10):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null"), dict(resp.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null"), dict(error.headers)


def start(workdir, port):
    log = open(os.path.join(workdir, "server.log"), "ab")
    proc = subprocess.Popen(
        [VIGIE, "serve", "--demo", "--listen", f"127.0.0.1:{port}"],
        cwd=workdir, stdout=log, stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}; see {workdir}/server.log")
        try:
            status, _, _ = request(base, "GET", "/healthz", timeout=2)
            if status == 200:
                return proc, base
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not become healthy in time")


def run_check(workdir):
    result = subprocess.run([VIGIE, "check", "--db", "sqlite://vigie-data/demo.db"], cwd=workdir, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"vigie check failed after a crash:\n{result.stdout}\n{result.stderr}")


def main():
    workdir = tempfile.mkdtemp(prefix="vigie-kill9-")
    acked = []  # (entity id, journal-less create) acknowledged by the server
    seqs = []   # journal sequence numbers returned to clients
    lock = threading.Lock()
    total_acked = 0
    for round_no in range(1, ROUNDS + 1):
        port = free_port()
        proc, base = start(workdir, port)
        status, body, _ = request(base, "POST", "/api/v1/session", {"username": "agent.marseille", "password": "vigie-demo-2026"})
        assert status == 201, (status, body)
        token = body["token"]

        # Everything acknowledged before the previous crash must be there.
        for entity_id in acked:
            status, body, _ = request(base, "POST", f"/api/v1/entities/{entity_id}/consultation", {"motif": "contrôle après arrêt brutal"}, token)
            if status != 200:
                raise SystemExit(f"round {round_no}: acknowledged entity {entity_id} missing after restart ({status} {body})")

        stop = threading.Event()

        def writer(worker):
            n = 0
            while not stop.is_set():
                n += 1
                payload = {
                    "schema": "Vehicle",
                    "properties": {"registrationNumber": [f"AB-{random.randint(100, 999)}-CD"], "notes": [f"crash-{round_no}-{worker}-{n}"]},
                    "departement": "13",
                    "regime": "judicial",
                    "source": f"test d'arrêt brutal {round_no}",
                }
                try:
                    status, body, headers = request(base, "POST", "/api/v1/entities", payload, token, timeout=5)
                except OSError:
                    return
                if status == 201:
                    with lock:
                        acked.append(body["id"])
                try:
                    status, body, headers = request(base, "POST", "/api/v1/entities/search", {"text": "AB", "motif": "charge", "limit": 5}, token, timeout=5)
                except OSError:
                    return
                if status == 200:
                    with lock:
                        seqs.append(body["journal_seq"])

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
        for thread in threads:
            thread.start()
        time.sleep(random.uniform(0.5, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        stop.set()
        for thread in threads:
            thread.join()
        run_check(workdir)
        print(f"round {round_no}: {len(acked) - total_acked} writes acknowledged before kill -9; integrity and journal OK", flush=True)
        total_acked = len(acked)

    # Final restart: every acknowledged write, and every returned journal entry, is present.
    port = free_port()
    proc, base = start(workdir, port)
    try:
        status, body, _ = request(base, "POST", "/api/v1/session", {"username": "auditeur", "password": "vigie-demo-2026"})
        auditor = body["token"]
        if seqs:
            highest = max(seqs)
            status, body, _ = request(base, "GET", f"/api/v1/journal?before={highest + 1}&limit=1", token=auditor)
            assert status == 200 and body["entries"] and body["entries"][0]["seq"] == highest, (status, body)
        status, body, _ = request(base, "POST", "/api/v1/session", {"username": "agent.marseille", "password": "vigie-demo-2026"})
        token = body["token"]
        missing = [e for e in acked if request(base, "POST", f"/api/v1/entities/{e}/consultation", {"motif": "contrôle final"}, token)[0] != 200]
        if missing:
            raise SystemExit(f"{len(missing)} acknowledged writes lost: {missing[:5]}")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    run_check(workdir)

    # A corrupted database file is refused with a reason.
    corrupt = tempfile.mkdtemp(prefix="vigie-corrupt-")
    shutil.copytree(os.path.join(workdir, "vigie-data"), os.path.join(corrupt, "vigie-data"))
    db = os.path.join(corrupt, "vigie-data", "demo.db")
    # Overwrite the b-tree page headers of pages 2 to 9, as a failing disk or a bad copy would.
    with open(db, "r+b") as handle:
        for page in range(1, 9):
            handle.seek(4096 * page)
            handle.write(b"\xff" * 16)
    result = subprocess.run([VIGIE, "serve", "--demo", "--listen", f"127.0.0.1:{free_port()}"], cwd=corrupt, capture_output=True, text=True, timeout=60)
    if result.returncode == 0 or "endommag" not in (result.stdout + result.stderr):
        raise SystemExit(f"a corrupted database was not refused clearly:\n{result.stdout}\n{result.stderr}")
    print("corrupted database refused:", (result.stderr.strip().splitlines() or [""])[-1])
    print(f"{ROUNDS} passed, 0 failed")
    shutil.rmtree(workdir, ignore_errors=True)
    shutil.rmtree(corrupt, ignore_errors=True)


if __name__ == "__main__":
    main()
