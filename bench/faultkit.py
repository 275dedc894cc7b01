"""The two fault makers of bench/faults.py: a TCP proxy that can cut or freeze every connection through it, and an
SMTP sink that logs every message it accepts and can refuse, freeze and come back.

Each runs as its own process, so that neither shares the benchmark's interpreter (and its lock) with the traffic
it carries, and is commanded through its standard input: one word a line, answered `ok <word>` on standard output
once it holds. Before the first command it prints `ready`.

    python bench/faultkit.py proxy --listen 7001 --target 127.0.0.1:5432    # cut | freeze | restore
    python bench/faultkit.py smtp --listen 7002 --log sink.jsonl             # refuse | freeze | restore

Proxy: `cut` resets every connection (both sides get a TCP reset) and stops listening, so new connections are
refused, as when the server's host drops off the network; `freeze` keeps accepting connections and forwards
nothing in either direction, as a stopped or overloaded server does; `restore` listens again and forwards
whatever was held back.

SMTP sink: every message it accepts is one JSON line in the log (a number unique to that delivery, the time, the
recipients, the subject and the Message-ID), written before its 250 reply. `refuse` is a mail server going
down: it stops listening (connection refused), closes the sessions waiting for their next message, and answers
a session in the middle of one with 421 (a definite "not accepted") and closes it, so no message is left in
doubt. `freeze` stops answering, greetings included, while still accepting connections; on `restore` it takes up
each session where it stopped, as a resumed server would: a message whose data had arrived is then accepted and
logged even if its sender has given up waiting for the reply.
"""

import argparse
import asyncio
import contextlib
import email.parser
import email.policy
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

LINE_LIMIT = 1024 * 1024  # bytes of one SMTP line or one proxied read


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close a connection with a TCP reset, not an orderly close: what a peer sees when a host drops away."""
    sock = writer.get_extra_info("socket")
    with contextlib.suppress(OSError):
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def _commands(apply) -> None:
    """Read commands from standard input until it closes (the benchmark has gone), answering each."""
    loop = asyncio.get_running_loop()
    print("ready", flush=True)
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        word = line.strip()
        if word:
            await apply(word)
            print(f"ok {word}", flush=True)


# -- TCP proxy --------------------------------------------------------------------------------------------------


class Proxy:
    def __init__(self, port: int, target_host: str, target_port: int) -> None:
        self.port, self.target_host, self.target_port = port, target_host, target_port
        self.forwarding = asyncio.Event()
        self.forwarding.set()
        self.server: asyncio.Server | None = None
        self.connections: set[asyncio.Task] = set()
        self.writers: set[asyncio.StreamWriter] = set()

    async def listen(self) -> None:
        if self.server is None:
            self.server = await asyncio.start_server(self.connection, "127.0.0.1", self.port, limit=LINE_LIMIT)

    async def apply(self, word: str) -> None:
        if word == "cut":
            if self.server is not None:
                self.server.close()
                self.server = None
            for writer in list(self.writers):
                _reset(writer)
            for task in list(self.connections):
                task.cancel()
            self.forwarding.set()
        elif word == "freeze":
            self.forwarding.clear()
        elif word == "restore":
            await self.listen()
            self.forwarding.set()
        else:
            raise SystemExit(f"unknown proxy command {word!r}")

    async def connection(self, client_reader, client_writer) -> None:
        task = asyncio.current_task()
        self.connections.add(task)
        self.writers.add(client_writer)
        upstream_writer = None
        try:
            await self.forwarding.wait()  # frozen: the connection is accepted and left waiting
            upstream_reader, upstream_writer = await asyncio.open_connection(
                self.target_host, self.target_port, limit=LINE_LIMIT
            )
            self.writers.add(upstream_writer)
            pumps = [
                asyncio.create_task(self.pump(client_reader, upstream_writer)),
                asyncio.create_task(self.pump(upstream_reader, client_writer)),
            ]
            try:
                await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for pump in pumps:
                    pump.cancel()
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            for writer in (client_writer, upstream_writer):
                if writer is not None:
                    self.writers.discard(writer)
                    writer.close()
            self.connections.discard(task)

    async def pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while data := await reader.read(65536):
                await self.forwarding.wait()  # read before a freeze, held back until the restore
                writer.write(data)
                await writer.drain()


async def run_proxy(port: int, target: str) -> None:
    host, _, target_port = target.rpartition(":")
    proxy = Proxy(port, host or "127.0.0.1", int(target_port))
    await proxy.listen()
    await _commands(proxy.apply)


# -- SMTP sink --------------------------------------------------------------------------------------------------


class Closing(Exception):
    """The sink closes this session (it refused the message or is going down)."""


class Sink:
    def __init__(self, port: int, log: Path) -> None:
        self.port = port
        self.log = log.open("a", buffering=1, encoding="utf-8")
        self.answering = asyncio.Event()
        self.answering.set()
        self.refusing = False
        self.server: asyncio.Server | None = None
        self.sessions: set[Session] = set()
        self.delivered = 0

    async def listen(self) -> None:
        if self.server is None:
            self.server = await asyncio.start_server(self.session, "127.0.0.1", self.port, limit=LINE_LIMIT)

    async def apply(self, word: str) -> None:
        if word == "refuse":
            self.refusing = True
            if self.server is not None:
                self.server.close()
                self.server = None
            for session in list(self.sessions):
                if session.idle:
                    session.writer.close()
        elif word == "freeze":
            self.answering.clear()
        elif word == "restore":
            self.refusing = False
            await self.listen()
            self.answering.set()
        else:
            raise SystemExit(f"unknown sink command {word!r}")

    async def session(self, reader, writer) -> None:
        session = Session(self, reader, writer)
        self.sessions.add(session)
        try:
            await session.run()
        except (OSError, Closing, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            self.sessions.discard(session)
            writer.close()

    def accept(self, recipients: list[str], data: bytes) -> int:
        self.delivered += 1
        headers = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(data)
        entry = {
            "n": self.delivered,
            "t": time.time(),
            "rcpt": recipients,
            "subject": str(headers.get("subject", "")),
            "message_id": str(headers.get("message-id", "")),
        }
        self.log.write(json.dumps(entry) + "\n")
        return self.delivered


class Session:
    """One client connection: just enough SMTP for smtplib (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT)."""

    def __init__(self, sink: Sink, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.sink, self.reader, self.writer = sink, reader, writer
        self.recipients: list[str] = []
        self.in_message = False  # from MAIL until the answer to its data
        self.idle = False  # waiting for a command between messages

    async def reply(self, text: str) -> None:
        await self.sink.answering.wait()
        if self.sink.refusing and not text.startswith("221"):
            self.writer.write(b"421 4.3.2 Service shutting down, try again later\r\n")
            await self.writer.drain()
            raise Closing
        self.writer.write(text.encode() + b"\r\n")
        await self.writer.drain()

    async def run(self) -> None:
        await self.reply("220 faults-sink ESMTP")
        while True:
            self.idle = not self.in_message
            line = await self.reader.readline()
            self.idle = False
            if not line:
                return
            verb = line[:4].upper()
            if verb == b"EHLO":
                await self.reply("250-faults-sink\r\n250-8BITMIME\r\n250 SMTPUTF8")
            elif verb == b"HELO":
                await self.reply("250 faults-sink")
            elif verb == b"MAIL":
                self.recipients, self.in_message = [], True
                await self.reply("250 2.1.0 OK")
            elif verb == b"RCPT":
                address = line.decode("utf-8", "replace").partition("<")[2].partition(">")[0]
                self.recipients.append(address.lower())
                await self.reply("250 2.1.5 OK")
            elif verb == b"DATA":
                if not self.recipients:
                    await self.reply("503 5.5.1 No recipients")
                    continue
                await self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = await self.read_data()
                await self.sink.answering.wait()
                if self.sink.refusing:
                    await self.reply("421")  # not accepted: the reply raises Closing
                number = self.sink.accept(self.recipients, data)
                self.recipients, self.in_message = [], False
                await self.reply(f"250 2.0.0 OK delivery {number}")
            elif verb == b"RSET":
                self.recipients, self.in_message = [], False
                await self.reply("250 2.0.0 OK")
            elif verb == b"NOOP":
                await self.reply("250 2.0.0 OK")
            elif verb == b"QUIT":
                await self.reply("221 2.0.0 Bye")
                return
            else:
                await self.reply("502 5.5.2 Command not recognised")

    async def read_data(self) -> bytes:
        lines = []
        while True:
            line = await self.reader.readline()
            if not line:
                raise Closing
            if line in (b".\r\n", b".\n"):
                return b"".join(lines)
            lines.append(line[1:] if line.startswith(b".") else line)


async def run_sink(port: int, log: Path) -> None:
    sink = Sink(port, log)
    await sink.listen()
    await _commands(sink.apply)


# -- the benchmark's side ---------------------------------------------------------------------------------------


class Controlled:
    """A fault maker started by the benchmark: its process, and `command(word)`, which returns once it holds."""

    def __init__(self, name: str, argv: list[str], *, log: Path, cwd: Path) -> None:
        self.name = name
        with log.open("wb") as stderr:
            self.process = subprocess.Popen(  # noqa: S603 - argv built from sys.executable and this file's path
                argv, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
                bufsize=0, start_new_session=True,
            )  # fmt: skip
        self._pending = b""
        self._expect("ready")

    def command(self, word: str) -> None:
        self.process.stdin.write(f"{word}\n".encode())
        self.process.stdin.flush()
        self._expect(f"ok {word}")

    def _expect(self, wanted: str, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while b"\n" not in self._pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.process.poll() is not None:
                raise RuntimeError(f"{self.name} did not answer {wanted!r} (exit code {self.process.poll()})")
            ready, _, _ = select.select([self.process.stdout], [], [], remaining)
            if ready:
                chunk = os.read(self.process.stdout.fileno(), 4096)
                if not chunk:
                    raise RuntimeError(f"{self.name} closed its output before answering {wanted!r}")
                self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        if line.decode().strip() != wanted:
            raise RuntimeError(f"{self.name} answered {line!r}, not {wanted!r}")


def proxy_argv(listen: int, target: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "proxy", "--listen", str(listen), "--target", target]


def sink_argv(listen: int, log: Path) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "smtp", "--listen", str(listen), "--log", str(log)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    kinds = parser.add_subparsers(dest="kind", required=True)
    proxy = kinds.add_parser("proxy", help="a TCP proxy that can cut, freeze and restore its connections")
    proxy.add_argument("--listen", type=int, required=True)
    proxy.add_argument("--target", required=True, help="host:port")
    smtp = kinds.add_parser("smtp", help="an SMTP sink that logs each message and can refuse, freeze and restore")
    smtp.add_argument("--listen", type=int, required=True)
    smtp.add_argument("--log", type=Path, required=True)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if args.kind == "proxy":
        asyncio.run(run_proxy(args.listen, args.target))
    else:
        asyncio.run(run_sink(args.listen, args.log))


if __name__ == "__main__":
    main()
