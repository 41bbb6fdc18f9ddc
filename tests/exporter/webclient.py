#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""HTTP for the exporter's tests, without curl: plain and hostile clients.

  webclient.py get URL                  body on stdout; exit 1 unless status 200
  webclient.py status URL               prints the status (404, 200, ...)
  webclient.py parallel N URL DIR       N scrapes at once, each body in DIR/N.txt;
                                   exit 1 unless all are 200
  webclient.py hostile PORT             bad requests of every kind (see below)
  webclient.py half-open PORT N SECONDS N connections that send half a request
                                   and hold it SECONDS, then go
"""
import socket
import sys
import threading
import time
import urllib.error
import urllib.request

TIMEOUT = 60


def get(url):
    with urllib.request.urlopen(url, timeout=TIMEOUT) as r:
        return r.status, r.read()


def status(url):
    try:
        return get(url)[0]
    except urllib.error.HTTPError as e:
        return e.code


def raw(port, payload, read=True):
    """Sends payload on a new connection; returns what came back (b"" if
    the server closed it)."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as s:
        try:
            s.sendall(payload)
        except OSError:
            return b""
        if not read:
            return b""
        try:
            return s.recv(4096)
        except OSError:
            return b""


def hostile(port):
    cases = {
        "oversized header": b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: "
        + b"a" * 200000 + b"\r\n\r\n",
        "oversized request line": b"GET /" + b"m" * 100000 + b" HTTP/1.1\r\n\r\n",
        "garbage": bytes(range(256)) * 8,
        "not HTTP": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,
        "bad method": b"BREW /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
        "bad version": b"GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n",
        "negative length": b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        "huge length": b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: "
        b"99999999999999999999\r\n\r\nab",
        "header without colon": b"GET /metrics HTTP/1.1\r\nHost x\r\n\r\n",
        "NUL in path": b"GET /met\x00rics HTTP/1.1\r\nHost: x\r\n\r\n",
        "dot dot": b"GET /../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
        "closed at once": b"",
    }
    for name, payload in cases.items():
        got = raw(port, payload)
        print(f"{name}: {got[:40]!r}")
        if b"root:" in got:
            sys.exit(f"FAIL: {name} served a file")
    # a client that reads nothing of a full response, then resets
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        try:  # the server may close after the first answer
            for _ in range(20):
                s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        except OSError:
            pass
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")


def half_open(port, count, seconds):
    socks = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
        socks.append(s)
    time.sleep(seconds)
    for s in socks:
        s.close()


def parallel(count, url, out_dir):
    results = [None] * count

    def one(i):
        try:
            code, body = get(url)
            with open(f"{out_dir}/{i}.txt", "wb") as f:
                f.write(body)
            results[i] = code
        except Exception as e:  # reported below
            results[i] = repr(e)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    bad = [r for r in results if r != 200]
    if bad:
        sys.exit(f"FAIL: {len(bad)} of {count} parallel scrapes failed: {bad[:3]}")


def main():
    cmd = sys.argv[1]
    if cmd == "get":
        code, body = get(sys.argv[2])
        sys.stdout.buffer.write(body)
        sys.exit(0 if code == 200 else 1)
    elif cmd == "timed":
        for _ in range(int(sys.argv[3])):
            start = time.perf_counter()
            code, body = get(sys.argv[2])
            print(f"{time.perf_counter() - start:.6f}")
            if code != 200:
                sys.exit(f"FAIL: status {code}")
        with open(sys.argv[4], "wb") as f:
            f.write(body)
    elif cmd == "status":
        print(status(sys.argv[2]))
    elif cmd == "parallel":
        parallel(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif cmd == "hostile":
        hostile(int(sys.argv[2]))
    elif cmd == "half-open":
        half_open(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
