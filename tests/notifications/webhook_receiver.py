#!/usr/bin/env python3
"""A webhook endpoint for the notifications acceptance test.

It checks NOTHING: it answers 200 to every POST and appends one JSON line per
request to OUT (headers and the raw body), so the test itself verifies every
signature with its own HMAC. Usage: webhook_receiver.py PORT_FILE OUT
(listens on a free loopback port and writes it to PORT_FILE when ready).
"""
import http.server
import json
import os
import sys

port_file, out_path = sys.argv[1], sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        record = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                  "body": body.decode("utf-8", "replace")}
        with open(out_path, "a", encoding="utf-8") as out:
            out.write(json.dumps(record, sort_keys=True) + "\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"received":true}')

    def log_message(self, fmt, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
tmp = port_file + ".tmp"
with open(tmp, "w") as f:
    f.write(str(server.server_address[1]))
os.rename(tmp, port_file)
server.serve_forever()
