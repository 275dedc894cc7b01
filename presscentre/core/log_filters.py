"""Logging filters the settings' LOGGING names."""

import logging
import re


class MinimumLevelFor(logging.Filter):
    """Drop records below `level` from the named loggers (and their children); let everything else through.

    The task worker logs every task it runs at INFO. In `make demo` that hides the press office's "... is live"
    email among hundreds of lines, so the demo's Procfile raises the bar for the task loggers alone
    (LOG_TASKS_LEVEL=WARNING): a failed task is still shown.
    """

    def __init__(self, loggers: list[str], level: str = "INFO") -> None:
        super().__init__()
        self.prefixes = tuple(loggers)
        self.level = logging.getLevelName(level.upper())
        if not isinstance(self.level, int):
            raise ValueError(f"Unknown logging level {level!r}.")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= self.level:
            return True
        return not any(record.name == prefix or record.name.startswith(f"{prefix}.") for prefix in self.prefixes)


# A journalist's token is the path segment after /embargoed/: keep the first characters (the admin screen shows
# the same prefix, so a log line can still be matched to its link) and hide the rest.
_JOURNALIST_TOKEN = re.compile(r"(/embargoed/)([^/\s?#\"']{0,6})[^/\s?#\"']*")


def mask_tokens_in(text: str) -> str:
    """`text` with the secret part of every journalist link path replaced by '***'."""
    return _JOURNALIST_TOKEN.sub(r"\1\2***", text)


def mask_journalist_tokens(record: logging.LogRecord) -> bool:
    """A logging filter (for loggers, handlers, and gunicorn's access log) that never drops a record, only masks
    journalist tokens in its message: a token in a log is a key to an embargoed item handed to whoever reads
    logs. The message is formatted once here, so the arguments that held the token are dropped."""
    message = record.getMessage()
    masked = mask_tokens_in(message)
    if masked != message:
        record.msg, record.args = masked, ()
    return True


class MaskJournalistTokens(logging.Filter):
    """`mask_journalist_tokens` as a class, for LOGGING's "()" factory."""

    def filter(self, record: logging.LogRecord) -> bool:
        return mask_journalist_tokens(record)
