#!/usr/bin/env python3
"""Sends requests through evhttpd's proxy with Python's http.client over
one keep-alive connection and prints one JSON object per request: its
name, the status and the body (the upstream's echo, as text).
Usage: proxyclient.py HOST PORT"""
import http.client
import json
import sys

host, port = sys.argv[1], int(sys.argv[2])
conn = http.client.HTTPConnection(host, port, timeout=30)


def ask(name, method, path, body=None, headers=None, chunked=False):
    conn.request(method, path, body=body, headers=headers or {}, encode_chunked=chunked)
    resp = conn.getresponse()
    out = {"name": name, "status": resp.status, "body": resp.read().decode("latin-1")}
    print(json.dumps(out), flush=True)


ask("get", "GET", "/api/get?q=1")
ask("post", "POST", "/api/post", body=b"hello world", headers={"Content-Type": "text/plain"})
ask("chunked", "POST", "/api/chunked", body=iter([b"0123456789"] * 3),
    headers={"Transfer-Encoding": "chunked"}, chunked=True)
ask("put", "PUT", "/api/put", body=b"p" * 100000)
