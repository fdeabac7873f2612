#!/usr/bin/env python3
"""Asks evhttpd with Python's http.client and prints one JSON object per
request: the status, the fields the test checks and the body's length and
text (latin-1). Usage: httpclient.py HOST PORT"""
import http.client
import json
import sys

host, port = sys.argv[1], int(sys.argv[2])
conn = http.client.HTTPConnection(host, port, timeout=30)  # one keep-alive connection


def ask(name, method, path, headers=None):
    conn.request(method, path, headers=headers or {})
    resp = conn.getresponse()
    body = resp.read()
    out = {
        "name": name,
        "status": resp.status,
        "length": len(body),
        "body": body.decode("latin-1"),
        "headers": {k.lower(): v for k, v in resp.getheaders()},
    }
    print(json.dumps(out), flush=True)
    return out


first = ask("get", "GET", "/digits.txt")
etag = first["headers"]["etag"]
ask("head", "HEAD", "/digits.txt")
ask("range", "GET", "/digits.txt", {"Range": "bytes=3-5"})
ask("multi", "GET", "/digits.txt", {"Range": "bytes=0-0,9-"})
ask("unsatisfiable", "GET", "/digits.txt", {"Range": "bytes=50-60"})
ask("not-modified", "GET", "/digits.txt", {"If-None-Match": etag})
ask("precondition", "GET", "/digits.txt", {"If-Match": '"nope"'})
ask("if-range", "GET", "/digits.txt", {"Range": "bytes=0-1", "If-Range": etag})
ask("post", "POST", "/digits.txt")
ask("missing", "GET", "/nothing-here")
conn.close()
