"""Start a test Janus and run the 0.9.x-style acceptance suite against it.

The server comes from this package's test bed (`janus_client.testing.JanusServer`),
the suite runs in a child process with any interpreter, so the same suite can be
run on janus-client 0.9.0 (installed in another virtualenv) and on this package::

    python tests/compat090/run_suite.py                      # this package
    python tests/compat090/run_suite.py --python /tmp/venv090/bin/python

The child gets ``JANUS_WS_URL``, ``JANUS_HTTP_URL`` and ``JANUS_ICE_ADDRESS`` and
no ``PYTHONPATH`` (unless ``--pythonpath`` is given), so it imports the
janus-client installed for that interpreter. The last line printed is
``RESULT ran=N failures=F errors=E skipped=S``; the exit code is the suite's.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    """Run the suite; return its exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="interpreter running the suite")
    parser.add_argument(
        "--pythonpath", default=None, help="PYTHONPATH for the suite (default: none)"
    )
    parser.add_argument("--ws-url", default=None, help="use this Janus instead of starting one")
    parser.add_argument("--http-url", default=None, help="with --ws-url")
    parser.add_argument("tests", nargs="*", help="test names (default: the whole suite)")
    args = parser.parse_args(argv)

    from janus_client.testing import JanusServer
    from janus_client.testing._network import ensure_ice_address

    server = None
    ice = "127.0.0.2" if ensure_ice_address("127.0.0.2") else ""
    if args.ws_url:
        ws_url, http_url = args.ws_url, args.http_url or ""
    else:
        server = JanusServer(ice_address=ice or None, session_timeout=60)
        server.start()
        ws_url, http_url = server.ws_url, server.http_url
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(JANUS_WS_URL=ws_url, JANUS_HTTP_URL=http_url, JANUS_ICE_ADDRESS=ice)
    if args.pythonpath:
        env["PYTHONPATH"] = args.pythonpath
    names = [f"suite_090.{t}" for t in args.tests] or ["suite_090"]
    try:
        proc = subprocess.run(
            [args.python, "-m", "unittest", "-v", *names],
            cwd=HERE,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
    finally:
        if server is not None:
            server.stop()
    sys.stdout.write(proc.stdout)
    sys.stdout.write(proc.stderr)
    ran = re.search(r"^Ran (\d+) tests?", proc.stderr, re.M)
    failures = re.search(r"failures=(\d+)", proc.stderr)
    errors = re.search(r"errors=(\d+)", proc.stderr)
    skipped = re.search(r"skipped=(\d+)", proc.stderr)
    print(
        f"RESULT ran={ran.group(1) if ran else 0} "
        f"failures={failures.group(1) if failures else 0} "
        f"errors={errors.group(1) if errors else 0} "
        f"skipped={skipped.group(1) if skipped else 0}"
    )
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
