"""Exercises a WebSocket echo server with the websockets library.

Usage: ws_echo_client.py URL. Prints one line per check; exits non-zero on
any failure. The server must echo every message (see ws_test.go).
"""
import asyncio
import sys

import websockets


async def main(url):
    async with websockets.connect(url, max_size=8 << 20, compression=None) as ws:
        await ws.send("héllo")
        print("text", await ws.recv())
        await ws.send(b"\x00\x01\xff")
        print("binary", (await ws.recv()).hex())
        await ws.send(["frag", "mented"])  # sent as three frames
        print("fragmented", await ws.recv())
        big = bytes(range(256)) * 8192  # 2 MiB
        await ws.send(big)
        print("large", await ws.recv() == big)
        pong = await ws.ping(b"py")
        await asyncio.wait_for(pong, 10)
        print("pong ok")
        await ws.send("frag")
        print("server fragments", await ws.recv())
        await ws.close(code=4321, reason="python done")
        print("closed", ws.close_code, ws.close_reason)


asyncio.run(main(sys.argv[1]))
