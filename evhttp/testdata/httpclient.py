"""Python http.client against an evhttp test server.

Usage: httpclient.py HOST PORT

Runs a fixed sequence of requests over one HTTPConnection and prints one
JSON object per exchange: its name, the status, the response headers in
order, the body and the client's local port (the same port throughout
means the connection was kept alive). The Go test checks the results.
"""

import http.client
import json
import sys


def exchange(conn, name, method, path, body=None, headers=None, **kw):
    conn.request(method, path, body=body, headers=headers or {}, **kw)
    resp = conn.getresponse()
    data = resp.read()
    print(json.dumps({
        "name": name,
        "status": resp.status,
        "headers": resp.getheaders(),
        "body": data.decode("latin-1"),
        "local_port": conn.sock.getsockname()[1],
    }), flush=True)


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    conn = http.client.HTTPConnection(host, port, timeout=20)
    exchange(conn, "get1", "GET", "/hello")
    exchange(conn, "get2", "GET", "/hello")
    exchange(conn, "post", "POST", "/echo", body=b"hello python",
             headers={"Content-Type": "text/plain"})
    chunks = [b"chunk one;", b"chunk two is longer;", b"3" * 10000]
    exchange(conn, "chunked", "POST", "/digest", body=iter(chunks),
             headers={"Transfer-Encoding": "chunked"}, encode_chunked=True)
    exchange(conn, "head", "HEAD", "/hello")
    exchange(conn, "get3", "GET", "/hello")
    conn.close()


if __name__ == "__main__":
    main()
