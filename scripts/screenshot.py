"""Screenshot an Odoo page as a logged-in user with headless Chromium (for the README).

Usage: python3 scripts/screenshot.py <base_url> <path> <output.png> [--db spm_demo] [--login admin]
       [--password admin] [--wait-for CSS] [--click CSS ...] [--size 1400x900]

Logs in through /web/session/authenticate, hands the session cookie to Chromium over
the DevTools protocol (websocket-client), opens the page and waits for a selector.
"""

import argparse
import base64
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request

import websocket


def authenticate(base_url, db, login, password):
    payload = json.dumps({"jsonrpc": "2.0", "params": {"db": db, "login": login, "password": password}}).encode()
    request = urllib.request.Request(
        f"{base_url}/web/session/authenticate", data=payload, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.loads(response.read())
        if body.get("error"):
            raise SystemExit(f"login failed: {body['error']}")
        for header in response.headers.get_all("Set-Cookie"):
            if header.startswith("session_id="):
                return header.split(";")[0].split("=", 1)[1]
    raise SystemExit("no session cookie returned")


class DevTools:
    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=60)
        self.counter = 0

    def call(self, method, **params):
        self.counter += 1
        self.ws.send(json.dumps({"id": self.counter, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.counter:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("path")
    parser.add_argument("output")
    parser.add_argument("--db", default="spm_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--wait-for", default=".o_action_manager .o_view_controller")
    parser.add_argument("--size", default="1400x900")
    parser.add_argument("--port", type=int, default=9233)
    parser.add_argument("--click", action="append", default=[], help="CSS selector whose elements are clicked")
    args = parser.parse_args()
    width, height = (int(x) for x in args.size.split("x"))
    session_id = authenticate(args.base_url, args.db, args.login, args.password)
    chromium = shutil.which("chromium") or shutil.which("google-chrome")
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        browser = subprocess.Popen(
            [
                chromium,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                f"--remote-debugging-port={args.port}",
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(50):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/json", timeout=2) as response:
                        targets = [t for t in json.loads(response.read()) if t["type"] == "page"]
                    if targets:
                        break
                except OSError:
                    pass
                time.sleep(0.2)
            tools = DevTools(targets[0]["webSocketDebuggerUrl"])
            tools.call("Network.enable")
            tools.call("Network.setCookie", name="session_id", value=session_id, url=args.base_url)
            tools.call(
                "Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False
            )
            tools.call("Page.navigate", url=args.base_url + args.path)
            selector = json.dumps(args.wait_for)
            for _ in range(120):
                found = tools.call("Runtime.evaluate", expression=f"!!document.querySelector({selector})")
                if found.get("result", {}).get("value"):
                    break
                time.sleep(0.5)
            else:
                raise SystemExit(f"{args.wait_for} did not appear")
            for click in args.click:
                tools.call(
                    "Runtime.evaluate",
                    expression=f"document.querySelectorAll({json.dumps(click)}).forEach(el => el.click())",
                )
                time.sleep(1.0)
            time.sleep(1.5)  # let the view finish rendering
            shot = tools.call("Page.captureScreenshot", format="png")
            with open(args.output, "wb") as fh:
                fh.write(base64.b64decode(shot["data"]))
        finally:
            browser.terminate()
            browser.wait(timeout=10)


if __name__ == "__main__":
    main()
