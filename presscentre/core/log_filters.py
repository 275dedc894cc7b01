"""Logging filters the settings' LOGGING names."""

import logging


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
