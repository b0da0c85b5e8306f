"""Shared fixtures: where the centrix binary and the shared data are."""

import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def centrix_binary() -> pathlib.Path:
    """The CLI built by scripts/test.sh (override with CENTRIX_BIN)."""
    return pathlib.Path(os.environ.get("CENTRIX_BIN", REPO / "build" / "centrix"))


@pytest.fixture(scope="session")
def centrix():
    binary = centrix_binary()
    if not binary.exists():
        pytest.fail(f"{binary} not found: build first (scripts/test.sh does)")

    def run(*args, check=True):
        result = subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True)
        if check and result.returncode != 0:
            raise AssertionError(f"centrix {' '.join(map(str, args))} failed:\n{result.stderr}")
        return result

    return run


@pytest.fixture
def interrupt_after(tmp_path):
    """Runs `statement` (a long centrix call) in a fresh Python, sends SIGINT after
    `delay` seconds, and returns (exit code, stdout, seconds from signal to exit).
    The child exits with 3 when the call raised KeyboardInterrupt."""

    def run(setup, statement, delay=1.5):
        script = tmp_path / "interrupted.py"
        # A shell that starts a job in the background without job control makes it ignore SIGINT, and Python
        # keeps an ignored SIGINT ignored: the child puts the usual KeyboardInterrupt handler back first.
        script.write_text("import signal\nsignal.signal(signal.SIGINT, signal.default_int_handler)\n"
                          + textwrap.dedent(setup) + textwrap.dedent(f"""
            print("ready", flush=True)
            try:
                {statement}
                print("finished")
            except KeyboardInterrupt:
                print("interrupted", flush=True)
                sys.exit(3)
        """))
        process = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
        assert process.stdout.readline().strip() == "ready"
        time.sleep(delay)
        sent = time.perf_counter()
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=120)
        return process.returncode, out, time.perf_counter() - sent

    return run


@pytest.fixture(scope="session")
def franti():
    path = REPO.parent / "shared" / "data" / "franti"
    if not path.exists():
        pytest.skip(f"shared UEF data not found at {path}")
    return path


# The default profile draws the same examples on every run (derandomize, no example database): fixed
# seeds, so a run passes or fails whatever ran before it. HYPOTHESIS_PROFILE=stress draws 2000 fresh
# random examples per property, to look for new failures.
try:
    from hypothesis import settings

    settings.register_profile("fixed", derandomize=True, database=None)
    settings.register_profile("stress", max_examples=2000, deadline=None)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fixed"))
except ImportError:  # hypothesis is only needed by the property tests
    pass
