"""Login page under a flood of wrong passwords from one address (issue 3, AUTH-05 / PERF-01).

Starts gunicorn on 127.0.0.1 with a fresh SQLite database (seed_demo) in a temporary VAR_DIR,
then for `--seconds` sends `--rate` wrong-password POSTs per second (from `--rate` threads, one
address: loopback) while another thread GETs the login page 5 times a second. Prints the p50/p95/
p99 of both, and of the POSTs before and after the address got throttled. Loopback only, bounded.

    .venv/bin/python bench/login_bench.py [--seconds 30] [--rate 10] [--workers 2]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Sample:
    at: float
    seconds: float
    status: int


@dataclass
class Results:
    posts: list[Sample] = field(default_factory=list)
    gets: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary(name: str, samples: list[Sample]) -> str:
    ms = [s.seconds * 1000 for s in samples]
    statuses: dict[int, int] = {}
    for sample in samples:
        statuses[sample.status] = statuses.get(sample.status, 0) + 1
    return (
        f"{name:<34} n={len(ms):4d}  p50={percentile(ms, 50):7.1f} ms  p95={percentile(ms, 95):7.1f} ms  "
        f"p99={percentile(ms, 99):7.1f} ms  max={max(ms, default=float('nan')):7.1f} ms  statuses={statuses}"
    )


class Browser:
    """One keep-alive connection with its own cookies (session and CSRF)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        content = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, content

    def csrf_token(self) -> str:
        status, content = self.request("GET", "/compte/connexion/")
        match = CSRF.search(content)
        if status != 200 or match is None:
            raise RuntimeError(f"login page answered {status}")
        return match.group(1).decode()


def poster(port: int, index: int, stop_at: float, interval: float, results: Results) -> None:
    browser = Browser(port)
    token = browser.csrf_token()
    next_at = time.monotonic() + (index / 10) * interval
    while True:
        now = time.monotonic()
        if now >= stop_at:
            return
        if now < next_at:
            time.sleep(next_at - now)
        next_at += interval
        body = urlencode({"csrfmiddlewaretoken": token, "username": f"A60600{index:02d}", "password": "Wrong-1234!x"})
        started = time.perf_counter()
        status, _content = browser.request("POST", "/compte/connexion/", body)
        elapsed = time.perf_counter() - started
        with results.lock:
            results.posts.append(Sample(at=time.monotonic(), seconds=elapsed, status=status))


def getter(port: int, stop_at: float, results: Results) -> None:
    browser = Browser(port)
    while time.monotonic() < stop_at:
        started = time.perf_counter()
        status, _content = browser.request("GET", "/compte/connexion/")
        elapsed = time.perf_counter() - started
        with results.lock:
            results.gets.append(Sample(at=time.monotonic(), seconds=elapsed, status=status))
        time.sleep(0.2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--rate", type=int, default=10, help="wrong logins per second (one thread each, max 20)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    args = parser.parse_args()
    rate = max(1, min(args.rate, 20))
    seconds = max(5, min(args.seconds, 120))

    var_dir = Path(tempfile.mkdtemp(prefix="tantieme-login-bench-"))
    port = free_port()
    env = {
        **os.environ,
        "TANTIEME_ENV": "development",
        "DEBUG": "0",
        "VAR_DIR": str(var_dir),
        "PORT": str(port),
        "LOG_LEVEL": "warning",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    server = None
    try:
        for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
            subprocess.run(  # noqa: S603  (our own interpreter and manage.py, fixed arguments)
                [PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
            )
        gunicorn = [
            PYTHON, "-m", "gunicorn", "tantieme.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers), "--threads", str(args.threads),
            "--worker-class", "gthread", "--log-level", "warning",
        ]  # fmt: skip
        server = subprocess.Popen(gunicorn, cwd=ROOT, env=env)  # noqa: S603  (our own interpreter, fixed arguments)
        deadline = time.monotonic() + 30
        while True:
            try:
                Browser(port).csrf_token()
                break
            except (OSError, RuntimeError, http.client.HTTPException):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

        results = Results()
        start = time.monotonic()
        stop_at = start + seconds
        threads = [threading.Thread(target=poster, args=(port, i, stop_at, 1.0, results)) for i in range(rate)]
        threads.append(threading.Thread(target=getter, args=(port, stop_at, results)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        before = [s for s in results.posts if s.status == 200]
        after = [s for s in results.posts if s.status == 429]
        print(
            f"gunicorn {args.workers} workers x {args.threads} threads, {rate} wrong logins/s "
            f"from 127.0.0.1 for {seconds} s, SQLite, argon2id"
        )
        print(summary("GET  /compte/connexion/ (page)", results.gets))
        print(summary("POST wrong logins (all)", results.posts))
        print(summary("POST before the address block", before))
        print(summary("POST throttled (429, no hash)", after))
        page_p95 = percentile([s.seconds * 1000 for s in results.gets], 95)
        throttled_p95 = percentile([s.seconds * 1000 for s in after], 95)
        verdict = "OK" if page_p95 < 300 else "OVER BUDGET"
        print(f"budget: login page p95 < 300 ms: {page_p95:.1f} ms -> {verdict}")
        print(f"throttled POST p95: {throttled_p95:.1f} ms")
        return 0 if verdict == "OK" else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
