"""The real processes a system test starts, and plain HTTP to them (no client library: a fresh connection per
request, as a reader's browser or Varnish opens)."""

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


# -- processes ----------------------------------------------------------------------------------------------


class Stack:
    """Child processes, each in its own process group; logs go to files in `folder`."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder, self.env = folder, env
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str]) -> None:
        with (self.folder / f"{name}.log").open("wb") as log:
            self.processes[name] = subprocess.Popen(  # noqa: S603 - fixed argv
                argv, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def run(self, name: str, argv: list[str], *, timeout: float = 120) -> str:
        result = subprocess.run(  # noqa: S603 - fixed argv
            argv, cwd=REPO, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if result.returncode != 0:
            raise AssertionError(f"{name} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def first_json_line(self, name: str, argv: list[str], *, timeout: float = 60) -> dict:
        """Start a one-off command and return the first JSON object it prints, without waiting for it to exit
        (a Django shell takes a while to close; the caller is timing something)."""
        process = subprocess.Popen(  # noqa: S603 - fixed argv
            argv,
            cwd=REPO,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.processes[name] = process
        deadline, seen = time.monotonic() + timeout, []
        for line in process.stdout:
            seen.append(line)
            if line.startswith("{"):
                return json.loads(line)
            if time.monotonic() > deadline:
                break
        raise AssertionError(f"{name} printed no JSON:\n{''.join(seen[-30:])}")

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise AssertionError(f"{name} exited with {process.returncode}:\n{self.tail(name)}")

    def tail(self, name: str, lines: int = 20) -> str:
        path = self.folder / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def tails(self) -> str:
        return "\n".join(f"--- {name}\n{self.tail(name)}" for name in self.processes)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def manage(*args: str) -> list[str]:
    return [sys.executable, "manage.py", *args]


# -- HTTP ---------------------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    cookies: dict[str, str]
    text: str


@dataclass
class Browser:
    """Plain HTTP with a cookie jar that ignores the Secure flag (the stack runs without TLS on loopback)."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, **kwargs) -> Response:
        headers = kwargs.pop("headers", {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        response = fetch(self.port, method, path, headers=headers, **kwargs)
        self.cookies.update(response.cookies)
        return response


def fetch(port: int, method: str, path: str, *, headers=None, body=None, source: str = "127.0.0.1") -> Response:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        connection.request(method, path, body=body, headers=headers or {})
        raw = connection.getresponse()
        text = raw.read().decode("utf-8", errors="replace")
        cookies = {}
        for name, value in raw.getheaders():
            if name.lower() == "set-cookie":
                cookies.update({key: morsel.value for key, morsel in SimpleCookie(value).items()})
        return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, cookies, text)
    finally:
        connection.close()


def get(port: int, path: str, **kwargs) -> Response:
    return fetch(port, "GET", path, **kwargs)


def wait_until_answering(stack: Stack, port: int, path: str, *, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack.check_alive()
        try:
            if get(port, path).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"nothing answered 200 on {port}{path} within {timeout:.0f} s:\n{stack.tails()}")
