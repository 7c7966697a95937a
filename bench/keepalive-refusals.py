#!/usr/bin/env python3
"""Checks that on kept-alive connections every request after a refusal (401/403) gets an answer (with Reactor Netty
1.3.6 some got none: reactor/reactor-netty#4361, see docs/development.md); exits 1 when one did not. Runs against a
gateway started as in bench/profile.sh or bench/run.sh (the bench configuration: the bootstrap admin key below), from several threads, each on one keep-alive connection (FRESH=1: a new connection per
request, which shows no hang), cycling through SEQ (letters below), and counts requests without an answer within
2 s.  Usage: bench/keepalive-refusals.py [port] [rounds]   e.g. SEQ=ad bench/keepalive-refusals.py 18080 600
   a  GET    /api/admin/security                 member key  -> 403
   b  GET    /api/admin/security                 no key      -> 401
   c  DELETE /api/admin/security/lockouts/abc    member key  -> 403
   d  DELETE /api/admin/security/lockouts/abc    admin key   -> 404
   e  GET    /api/keys/key-00000000              member key  -> 403
   f  GET    /api/admin/security/events          admin key   -> 200 (no store)
   g  GET    /api/admin/security                 admin key   -> 200 (PostgreSQL and Redis)
   h  GET    /public/x                           no key      -> 404
Seen on this machine with Reactor Netty 1.3.6: SEQ=abcde 85 of 6,000 requests unanswered, 0 with FRESH=1; SEQ=ad
134 of 4,800; SEQ=ag 76 of 1,200. With 1.3.8: SEQ=ad 0 of 1,200, SEQ=ag 0 of 800, SEQ=abcdefgh 0 of 1,600.
"""
import collections
import http.client
import json
import os
import sys
import threading
import time

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 18080
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 400
ADMIN = "s4e_live_BenchAdminKeyForLoadRuns014Iwbwi"


def call(connection, method, path, key=None, body=None, cookie=None):
    headers = {}
    if key:
        headers["Authorization"] = "Bearer " + key
    if cookie:
        headers["Cookie"] = cookie
    if body is not None:
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    answer = connection.getresponse()
    return answer.status, answer.read()


setup = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
email = "keepalive-%d@example.test" % int(time.time() * 1000)
password = "Keepalive-member-password-8842"
status, _ = call(setup, "POST", "/api/admin/users", ADMIN, {"email": email, "password": password, "role": "member"})
assert status == 201, status
status, body = call(setup, "POST", "/api/user/auth/login", None, {"email": email, "password": password})
token = json.loads(body)["data"]["token"]
status, body = call(setup, "POST", "/api/keys", None, {"name": "keepalive", "scopes": ["read:assets"]},
                    cookie="token=" + token)
member = json.loads(body)["data"]["key"]

STEPS = {
    "a": ("GET", "/api/admin/security", member),
    "b": ("GET", "/api/admin/security", None),
    "c": ("DELETE", "/api/admin/security/lockouts/abc", member),
    "d": ("DELETE", "/api/admin/security/lockouts/abc", ADMIN),
    "e": ("GET", "/api/keys/key-00000000", member),
    "f": ("GET", "/api/admin/security/events", ADMIN),
    "g": ("GET", "/api/admin/security", ADMIN),
    "h": ("GET", "/public/x", None),
}
sequence = os.environ.get("SEQ", "abcde")
unanswered = collections.Counter()


def worker():
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
    for _ in range(ROUNDS):
        for letter in sequence:
            method, path, key = STEPS[letter]
            try:
                if os.environ.get("FRESH"):
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
                call(connection, method, path, key)
            except Exception:
                unanswered[letter] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)


threads = [threading.Thread(target=worker) for _ in range(4)]
started = time.time()
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
total = 4 * ROUNDS * len(sequence)
print("%d requests in %.1f s, %d without an answer: %s" % (total, time.time() - started, sum(unanswered.values()),
                                                          dict(unanswered)))
sys.exit(1 if unanswered else 0)
