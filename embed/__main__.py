"""Where the ``embed`` command starts: ``python -m embed`` and the console script alike.

A Ctrl-C in the first tenth of a second, while Python imports the command's modules,
would otherwise end in a traceback of the import machinery. Until ``embed.cli.main``
takes over, an interrupt ends the process at once with one line: nothing has been
written by then. The library never imports this module, so its users' SIGINT handling
is untouched.
"""

import os
import signal
import sys


def _interrupted_while_starting(signum, frame):
    os.write(2, b"embed: interrupted\n")
    os._exit(128 + signum)


def main() -> int:
    """Run the ``embed`` command on ``sys.argv``.

    >>> main.__module__
    'embed.__main__'
    """
    from .cli import main as command

    if signal.getsignal(signal.SIGINT) is _interrupted_while_starting:
        signal.signal(signal.SIGINT, signal.default_int_handler)  # cli.main reports interrupts from here on
    return command()


if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not where SIGINT is ignored (nohup)
    signal.signal(signal.SIGINT, _interrupted_while_starting)

if __name__ == "__main__":
    sys.exit(main())
