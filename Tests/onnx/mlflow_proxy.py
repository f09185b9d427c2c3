#!/usr/bin/env python3
"""A recording HTTP proxy in front of an MLflow server, for Tests/DoeCLITests/MLflowTests.swift.

  mlflow_proxy.py PORT UPSTREAM LOG_FILE [FAIL_SUBSTRING]
Forwards every request to UPSTREAM and appends one JSON line per request to LOG_FILE: method, path and the
Authorization header as received (so a test sees which credentials doe sent). A request whose path contains
FAIL_SUBSTRING is answered HTTP 500 without forwarding (a server failing in the middle of a push).
"""
import json
import sys
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, upstream, log_file = int(sys.argv[1]), sys.argv[2].rstrip("/"), sys.argv[3]
fail = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else None


class Proxy(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        with open(log_file, "a") as log:
            log.write(json.dumps({"method": self.command, "path": self.path,
                                  "authorization": self.headers.get("Authorization")}) + "\n")
        if fail and fail in self.path:
            payload = b'{"error_code": "INTERNAL_ERROR", "message": "injected failure"}'
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        request = urllib.request.Request(upstream + self.path, data=body, method=self.command)
        for key in ("Content-Type",):
            if self.headers.get(key):
                request.add_header(key, self.headers[key])
        try:
            with urllib.request.urlopen(request, timeout=120) as answer:
                status, payload, kind = answer.status, answer.read(), answer.headers.get("Content-Type", "application/json")
        except urllib.error.HTTPError as error:
            status, payload, kind = error.code, error.read(), error.headers.get("Content-Type", "application/json")
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


ThreadingHTTPServer(("127.0.0.1", port), Proxy).serve_forever()
