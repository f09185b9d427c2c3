"""Open a doe HTML report in headless Chromium (Debian's chromium-headless-shell) over the DevTools protocol.

Checks: the page loads from file:// with no console errors, warnings from scripts or failed loads; the expected
SVG elements exist; every chart has a visible size and every SVG label has a non-zero rendered width; a full-page
screenshot is not blank; printing (print media) gives a PDF. Prints one JSON object; exits 1 if a check fails.

usage: check_html.py REPORT.html --chromium PATH --screenshot OUT.png [--expect CSS_SELECTOR=MIN_COUNT ...]
"""
import argparse
import base64
import io
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket  # websocket-client
from PIL import Image


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DevTools:
    def __init__(self, url):
        self.ws = websocket.create_connection(url, timeout=600, suppress_origin=True)   # a safety limit, not a window
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method, timeout=600):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(e.get("method") == method for e in self.events):
                return
            self.events.append(json.loads(self.ws.recv()))
        raise TimeoutError(f"no {method} within {timeout} s")

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("html")
    parser.add_argument("--chromium", required=True)
    parser.add_argument("--screenshot", required=True)
    parser.add_argument("--expect", action="append", default=[], help="CSS selector=minimum count")
    args = parser.parse_args()

    failures = []
    report = {}
    profile = tempfile.mkdtemp(prefix="doe-chromium-")
    port = free_port()
    browser = subprocess.Popen([args.chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                "--disable-extensions", "--disable-dev-shm-usage", f"--remote-debugging-port={port}", f"--user-data-dir={profile}",
                                "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)   # its own process group: its GPU and network helpers go with it
    try:
        # until the port answers or the browser exits; the limit only stops a browser that hangs
        deadline = time.time() + 600
        targets = None
        while time.time() < deadline and browser.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as r:
                    targets = [t for t in json.load(r) if t.get("type") == "page"]
                if targets:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        if not targets:
            raise SystemExit("chromium did not open its DevTools port" + (" (it exited)" if browser.poll() is not None else " within 600 s"))
        dt = DevTools(targets[0]["webSocketDebuggerUrl"])
        for domain in ("Runtime", "Log", "Page", "Network"):
            dt.call(f"{domain}.enable")
        url = pathlib.Path(args.html).resolve().as_uri()
        dt.call("Emulation.setDeviceMetricsOverride", width=1200, height=900, deviceScaleFactor=1, mobile=False)
        dt.call("Page.navigate", url=url)
        dt.wait_for("Page.loadEventFired")
        # rendered: two animation frames after the load event (a promise the page resolves), not a fixed sleep
        dt.call("Runtime.evaluate", expression="new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(1))))",
                awaitPromise=True)

        report["title"] = dt.evaluate("document.title")
        report["svg"] = dt.evaluate("document.querySelectorAll('svg').length")
        report["counts"] = {}
        for item in args.expect:
            selector, minimum = item.rsplit("=", 1)
            count = dt.evaluate(f"document.querySelectorAll({json.dumps(selector)}).length")
            report["counts"][selector] = count
            if count < int(minimum):
                failures.append(f"{selector}: {count} elements, expected at least {minimum}")
        report["tiny_charts"] = dt.evaluate(
            "Array.from(document.querySelectorAll('svg.doe-chart')).filter(s => {const r = s.getBoundingClientRect();"
            " return r.width < 100 || r.height < 80}).length")
        if report["tiny_charts"]:
            failures.append(f"{report['tiny_charts']} charts render smaller than 100×80 px")
        report["unrendered_labels"] = dt.evaluate(
            "Array.from(document.querySelectorAll('svg text')).filter(t => t.textContent.trim() && t.getBBox().width === 0).length")
        if report["unrendered_labels"]:
            failures.append(f"{report['unrendered_labels']} SVG labels have zero rendered width")
        report["external_resources"] = dt.evaluate(
            "Array.from(document.querySelectorAll('[src],link[href],image')).length")
        if report["external_resources"]:
            failures.append("the page refers to external resources")

        metrics = dt.call("Page.getLayoutMetrics")
        height = int(min(metrics["cssContentSize"]["height"], 16000))
        dt.call("Emulation.setDeviceMetricsOverride", width=1200, height=height, deviceScaleFactor=1, mobile=False)
        shot = dt.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        png = base64.b64decode(shot["data"])
        pathlib.Path(args.screenshot).write_bytes(png)
        image = Image.open(io.BytesIO(png)).convert("RGB")
        small = image.resize((max(image.width // 4, 1), max(image.height // 4, 1)))
        raw = small.tobytes()
        pixels = [raw[i:i + 3] for i in range(0, len(raw), 3)]
        nonwhite = sum(1 for p in pixels if min(p) < 235) / len(pixels)
        report["screenshot"] = {"path": args.screenshot, "width": image.width, "height": image.height,
                                "nonwhite_fraction": round(nonwhite, 4), "colours": len(set(pixels))}
        if nonwhite < 0.02 or len(set(pixels)) < 16:
            failures.append(f"screenshot looks blank: {nonwhite:.3%} non-white pixels, {len(set(pixels))} colours")

        dt.call("Emulation.setEmulatedMedia", media="print")
        pdf = base64.b64decode(dt.call("Page.printToPDF", printBackground=True)["data"])
        report["pdf"] = {"bytes": len(pdf), "pages": pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")}
        if not pdf.startswith(b"%PDF") or report["pdf"]["pages"] < 1:
            failures.append("printing gave no PDF pages")

        console = []
        for e in dt.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.exceptionThrown":
                console.append("exception: " + json.dumps(params.get("exceptionDetails", {}))[:300])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                console.append(f"console.{params['type']}: " + json.dumps(params.get("args"))[:300])
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
                console.append("log: " + params["entry"].get("text", "")[:300])
            elif method == "Network.loadingFailed":
                console.append("failed load: " + json.dumps(params)[:300])
        report["console"] = console
        if console:
            failures.append(f"{len(console)} console errors or warnings")
    finally:
        # the whole group: terminating only the browser left its helper processes running after every test
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(browser.pid, sig)
            except ProcessLookupError:
                break
            try:
                browser.wait(timeout=10)
                break
            except subprocess.TimeoutExpired:
                continue
        try:
            os.killpg(browser.pid, signal.SIGKILL)   # helpers that outlived the browser itself
        except ProcessLookupError:
            pass
        shutil.rmtree(profile, ignore_errors=True)

    report["failures"] = failures
    print(json.dumps(report))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
