"""Kinds of sending other than a press release to media lists, registered by the apps above this one.

A kind says who receives a distribution of it and what they receive; everything else (claiming, fencing, retries,
recovery, the worker, the delivery records and their admin) is the one sending machinery of sending.py.

    register_kind(Distribution.Kind.ALERT, recipients=plan_alert, compose=compose_alert)

`recipients(distribution)` yields unsaved `Delivery` rows (one per contact); `compose(distribution, at=)` returns
the email, an object like `ReleaseEmail` (`subject`, `base_url`, `public_url`, `embargoed`, and
`message_for(to=, link_url=, unsubscribe_url=, connection=, delivery=)`), or None when nothing may be sent at `at`
(the item is not public): the distribution is then cancelled.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SendingKind:
    recipients: Callable[..., Iterator]
    compose: Callable[..., object | None]


_kinds: dict[str, SendingKind] = {}


def register_kind(kind: str, *, recipients: Callable[..., Iterator], compose: Callable[..., object | None]) -> None:
    _kinds[kind] = SendingKind(recipients=recipients, compose=compose)


def kind_of(distribution) -> SendingKind:
    try:
        return _kinds[distribution.kind]
    except KeyError:
        raise LookupError(f"No app registered the sending kind {distribution.kind!r}") from None


def compose(distribution, *, at: datetime):
    return kind_of(distribution).compose(distribution, at=at)
