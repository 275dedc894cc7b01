"""An SMTP sink for the distribution benchmark: accepts every message, counts deliveries per address, and on
SIGTERM prints `messages=<n> duplicates=<n>` so the benchmark can check that nobody was emailed twice."""

import signal
import sys
import threading
from collections import Counter

from aiosmtpd.controller import Controller


class CountingHandler:
    def __init__(self):
        self.counts = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.counts.update(envelope.rcpt_tos)
        return "250 OK"


def main() -> None:
    port = int(sys.argv[1])
    handler = CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    print("ready", flush=True)
    stopped.wait()
    controller.stop()
    with handler.lock:
        duplicates = sum(1 for count in handler.counts.values() if count > 1)
        print(f"messages={sum(handler.counts.values())} duplicates={duplicates}", flush=True)


if __name__ == "__main__":
    main()
