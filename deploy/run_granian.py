"""granian for Press Centre: granian's own command line, which first refuses a public address with no proxy in front.

    .venv/bin/python deploy/run_granian.py --interface wsgi presscentre.wsgi:application --host 127.0.0.1 --port 8000

Every option (and every GRANIAN_* variable) is granian's; only the check is added: listening on anything but
loopback or a unix socket (`--uds`) needs a proxy on another machine in PRESSCENTRE_TRUSTED_PROXIES, or
PRESSCENTRE_ALLOW_DIRECT_CLIENTS=true (presscentre.core.app_server says why). The `granian` command itself skips
the check.
"""

import sys
from pathlib import Path

from granian.cli import cli

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from presscentre.core.app_server import refusal_to_listen  # noqa: E402


def main() -> None:
    serve = cli.callback

    def checked_serve(**options):
        # granian has parsed its options (and GRANIAN_* variables) by now, exactly as it will use them.
        listener = str(options["uds"]) if options["uds"] else (options["host"], options["port"])
        message = refusal_to_listen([listener])
        if message:
            raise SystemExit(message)
        return serve(**options)

    cli.callback = checked_serve
    cli.main(prog_name="granian", auto_envvar_prefix="GRANIAN")


if __name__ == "__main__":
    main()
