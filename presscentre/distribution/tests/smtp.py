"""A real SMTP server for tests (aiosmtpd in a thread), recording what arrives over the wire."""

import email
import email.policy
import threading
from collections import Counter

from aiosmtpd.controller import Controller


class RecordingHandler:
    """Accepts every message and keeps it, parsed; `refuse_first` answers 451 to that many RCPTs per address."""

    def __init__(self, refuse_first: int = 0, reject: frozenset = frozenset()):
        self.refuse_first = refuse_first
        self.reject = reject
        self.refused: Counter = Counter()
        self.messages: list = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return "550 5.1.1 No such mailbox"
        with self.lock:
            if self.refused[address] < self.refuse_first:
                self.refused[address] += 1
                return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def recipients(self) -> Counter:
        with self.lock:
            return Counter(address for rcpt_tos, _ in self.messages for address in rcpt_tos)

    def message_to(self, address: str):
        with self.lock:
            return next(message for rcpt_tos, message in self.messages if address in rcpt_tos)


class EphemeralPortController(Controller):
    """aiosmtpd's controller bound to port 0: the system picks a free port, read back once bound."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()
