"""The progress line of `centrix fit`: drawn on stderr only when it is a terminal (a pseudo-terminal
here), never with --quiet or --verbose, never into a file, and never changing stdout."""

import errno
import os
import pty
import re
import subprocess

import pytest

from conftest import centrix_binary

# 200000 x 8 blobs in 20 wide clusters: about 34 Lloyd iterations plus swaps on one thread, close to
# a second, so the line (redrawn at most every 0.1 s) is drawn several times.
FIT_OPTIONS = ["-k", "20", "--seed", "1", "--threads", "1"]
PROGRESS = re.compile(rb"\r(run \d+/\d+  )?(swap \d+  )?iteration \d+  inertia \S+  elapsed [^\r\x1b]*\x1b\[K")


@pytest.fixture(scope="module")
def blobs(centrix, tmp_path_factory):
    path = tmp_path_factory.mktemp("progress") / "blobs.npy"
    centrix("generate", "blobs", "--n", 200000, "--d", 8, "--centers", 20, "--std", 4, "--seed", 1, "-o", path)
    return path


def environment(delay="0"):
    env = dict(os.environ)
    env["CENTRIX_PROGRESS_DELAY"] = delay
    return env


def without_timing(stdout):
    """The report lines with the run's seconds taken out (they differ from run to run)."""
    return re.sub(r" in [0-9.]+ s\b", " in _ s", stdout)


def run_in_terminal(args, env):
    """Runs the CLI with stderr on a pseudo-terminal and stdout on a pipe; returns
    (exit code, stdout text, every byte the terminal received)."""
    master, slave = pty.openpty()
    try:
        process = subprocess.Popen([str(centrix_binary()), *map(str, args)],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave, env=env)
    finally:
        os.close(slave)  # the child holds the only copy now: EOF (EIO on Linux) once it exits
    received = bytearray()
    try:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError as e:
                if e.errno != errno.EIO:
                    raise
                break
            if not chunk:
                break
            received += chunk
        stdout, _ = process.communicate(timeout=120)
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()
            process.wait()
    return process.returncode, stdout.decode(), bytes(received)


def fit_in_terminal(blobs, *extra):
    return run_in_terminal(["fit", blobs, *FIT_OPTIONS, *extra], environment())


@pytest.fixture(scope="module")
def plain_stdout(centrix, blobs):
    """stdout of the same fit with stderr on a pipe (no progress line possible)."""
    result = centrix("fit", blobs, *FIT_OPTIONS)
    assert result.stderr == ""
    return without_timing(result.stdout)


def test_plain_stdout_is_the_usual_report(plain_stdout):
    lines = plain_stdout.splitlines()
    assert lines[0].startswith("k-means: 200000 x 8 (float64), k = 20")
    assert re.match(r"inertia \S+ after \d+ iterations \(converged\) in _ s", lines[1])


def test_progress_line_is_drawn_on_a_terminal_and_erased_at_the_end(blobs, plain_stdout):
    code, stdout, received = fit_in_terminal(blobs)
    assert code == 0
    text = received.decode(errors="replace")
    assert "iteration" in text and "inertia" in text and "elapsed" in text, repr(received)
    assert "remaining ~" in text or "refining" in text, repr(received)
    assert PROGRESS.search(received), repr(received)
    # Every byte is a progress draw or the final erase: no stray newline, no other message.
    assert PROGRESS.sub(b"", received) == b"\r\x1b[K", repr(received)
    assert received.endswith(b"\r\x1b[K")
    assert without_timing(stdout) == plain_stdout


def test_progress_counts_up_and_names_the_run(blobs, plain_stdout):
    code, stdout, received = fit_in_terminal(blobs, "--n-init", 2)
    assert code == 0
    draws = re.findall(rb"\r(?:run (\d+)/2  )?(?:swap (\d+)  )?iteration (\d+)  inertia \S+  elapsed ([0-9.]+) s", received)
    assert len(draws) >= 2, repr(received)
    assert all(run in (b"1", b"2") for run, _, _, _ in draws), repr(received)  # two runs: "run i/2" on each
    runs = [int(run) for run, _, _, _ in draws]
    assert runs == sorted(runs)
    elapsed = [float(seconds) for _, _, _, seconds in draws]
    assert elapsed == sorted(elapsed)
    for before, after in zip(draws, draws[1:]):
        if before[:2] == after[:2]:  # the same descent: the iteration number only grows
            assert int(after[2]) > int(before[2]), repr(received)
    assert received.endswith(b"\r\x1b[K")
    lines = without_timing(stdout).splitlines()
    assert lines[0].endswith("n_init 2")


@pytest.mark.parametrize("flag", ["--quiet", "-q"])
def test_quiet_draws_nothing_on_a_terminal(blobs, plain_stdout, flag):
    code, stdout, received = fit_in_terminal(blobs, flag)
    assert code == 0
    assert received == b""
    assert without_timing(stdout) == plain_stdout


def test_verbose_prints_iterations_on_stdout_and_no_progress_line(blobs, plain_stdout):
    code, stdout, received = fit_in_terminal(blobs, "--verbose")
    assert code == 0
    assert received == b""
    assert re.search(r"^iteration +1  inertia ", stdout, re.MULTILINE), stdout
    assert "\r" not in stdout and "\x1b" not in stdout
    # The usual report lines still end the output.
    report = plain_stdout.splitlines()
    assert without_timing(stdout).splitlines()[-len(report):] == report


def test_no_progress_when_stderr_is_a_file(blobs, plain_stdout, tmp_path):
    log = tmp_path / "stderr.txt"
    with open(log, "wb") as stderr:
        result = subprocess.run(
            [str(centrix_binary()), "fit", str(blobs), *FIT_OPTIONS],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr, env=environment(), timeout=120)
    assert result.returncode == 0
    written = log.read_bytes()
    assert b"\r" not in written and b"\x1b" not in written
    assert b"iteration" not in written and b"elapsed" not in written
    assert written == b""
    assert without_timing(result.stdout.decode()) == plain_stdout


def test_default_delay_keeps_a_short_run_silent(centrix, tmp_path):
    """Without CENTRIX_PROGRESS_DELAY, a run shorter than a second draws nothing even on a terminal."""
    small = tmp_path / "small.npy"
    centrix("generate", "blobs", "--n", 2000, "--d", 2, "--centers", 3, "--seed", 1, "-o", small)
    env = dict(os.environ)
    env.pop("CENTRIX_PROGRESS_DELAY", None)
    code, _, received = run_in_terminal(["fit", small, "-k", 3], env)
    assert code == 0
    assert received == b""
