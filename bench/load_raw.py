"""The baseline of bench/load.sh: the least client that can load an MCP endpoint. SESSIONS
threads, each with one kept-alive HTTP/1.1 connection, POST the same modern (2026-07-28)
tools/list request that probe-initialize --era modern sends, back to back, until SECONDS are
over; no era negotiation, no parsing beyond finding the result, no timeouts, no backoff.

usage: load_raw.py URL SESSIONS SECONDS
prints one JSON line: requests, ok, requests_per_s, p50_ms (nearest rank, as the probe's report)
"""

import http.client
import json
import math
import sys
import threading
import time
from urllib.parse import urlsplit

META = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientInfo": {"name": "raw-loop", "version": "0"},
    "io.modelcontextprotocol/clientCapabilities": {},
}
HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json, text/event-stream",
    "MCP-Protocol-Version": "2026-07-28",
    "Mcp-Method": "tools/list",
}


def session(url, end, latencies, counts, lock):
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port)
    mine, ok, n = [], 0, 0
    while time.monotonic() < end:
        n += 1
        body = json.dumps({"jsonrpc": "2.0", "id": n, "method": "tools/list", "params": {"_meta": META}})
        began = time.monotonic()
        connection.request("POST", parts.path, body, HEADERS)
        answer = connection.getresponse()
        data = answer.read()
        mine.append((time.monotonic() - began) * 1000)
        ok += answer.status == 200 and b'"tools"' in data
    connection.close()
    with lock:
        latencies.extend(mine)
        counts[0] += len(mine)
        counts[1] += ok


def main():
    url, sessions, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    latencies, counts, lock = [], [0, 0], threading.Lock()
    end = time.monotonic() + seconds
    threads = [threading.Thread(target=session, args=(url, end, latencies, counts, lock)) for _ in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    p50 = latencies[max(math.ceil(len(latencies) * 50 / 100), 1) - 1] if latencies else None
    print(json.dumps({"requests": counts[0], "ok": counts[1], "requests_per_s": round(counts[0] / seconds, 1),
                      "p50_ms": round(p50, 3) if p50 is not None else None}))


if __name__ == "__main__":
    main()
