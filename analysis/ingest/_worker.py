"""The child side of `analysis.ingest.parse.parse_all`: one worker process reading files one at a time.

Started by the parent as a fresh interpreter (`python -P -c "from analysis.ingest._worker import main; main()"`),
never forked, so it shares no memory, threads or open database handles with the server. Why not
`multiprocessing`'s spawn context: under `streamlit run`, Streamlit installs the page script as `__main__`,
and spawn re-runs `__main__` in every child, so each worker would execute the whole app. A plain
subprocess imports only what the worker needs.

Protocol (stdin/stdout, binary): frames of an 8-byte big-endian length and a pickle.
- parent -> child: the parent's `sys.path` (a list of str); then a config dict (`parser`, `timeout_s`,
  `memory_limit_bytes`); then tasks `(index, source, athlete, settings)`; EOF or `None` ends the worker.
  The import's options (`drop_positions`, `skip_bad_rows`) are in the config's `parser`: a
  `functools.partial` of `parse.parse_source` with them set (None = `parse_source` as it is).
- child -> parent: `("ready", pid)` once imports are done and limits are set; then `("result", index,
  ParsedFile)` per task.
Anything a library prints goes to stderr: the worker moves its stdout away before importing anything.

Only the standard library is imported at module level, so the thread-count variables the parent sets take
effect before numpy loads, and the memory limit can be measured from the size after imports.
"""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

_LENGTH = struct.Struct(">Q")
# Numeric libraries' thread pools, held to one thread in each worker: the parallelism is across processes.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")
PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


def spawn(entry: str) -> subprocess.Popen:
    """Start a worker: a fresh interpreter running `entry` (Python code, e.g. "from m import main; main()") with
    this project importable, one numeric thread, and pipes on stdin and stdout for `send`/`recv`.

    A fresh interpreter rather than multiprocessing: Streamlit runs the app's script in a thread of a server
    whose main module cannot be re-imported, and `-P` keeps the working folder off the worker's path.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
    for name in THREAD_VARIABLES:
        env[name] = "1"
    return subprocess.Popen([sys.executable, "-P", "-c", entry], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            env=env, close_fds=True)
MAX_FRAME_BYTES = 1 << 34  # 16 GiB: anything larger is a broken stream, not a message


def send(stream: IO[bytes], obj: Any) -> None:
    """Write one frame (`obj` pickled) and flush."""
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    write_frame(stream, payload)


def write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(_LENGTH.pack(len(payload)))
    stream.write(payload)
    stream.flush()


def recv(stream: IO[bytes]) -> Any:
    """Read one frame; EOFError when the other side closed the stream (also in the middle of a frame)."""
    head = _read_exactly(stream, _LENGTH.size)
    (length,) = _LENGTH.unpack(head)
    if length > MAX_FRAME_BYTES:
        raise EOFError(f"frame of {length} bytes: the stream is broken")
    return pickle.loads(_read_exactly(stream, length))


def _read_exactly(stream: IO[bytes], count: int) -> bytes:
    parts = []
    left = count
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError("stream closed")
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def _address_space_bytes() -> int | None:
    """This process's virtual memory size (Linux), or None where it cannot be read."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[0])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def limit_memory(extra_bytes: int) -> None:
    """Cap the address space at its size now plus `extra_bytes` (RLIMIT_AS), where the OS enforces it.

    Measured after the imports, so the cap is what one *file* may use whatever the libraries reserve
    (OpenBLAS alone reserves hundreds of MB on many-core machines). Linux only: macOS does not enforce
    RLIMIT_AS and Windows has no `resource` module; there the wall-clock timeout still applies.
    """
    size = _address_space_bytes()
    if size is None:
        return
    try:
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        soft = size + extra_bytes
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    except (ImportError, ValueError, OSError):
        pass


def limit_cpu(seconds: float) -> None:
    """Let the next task use `seconds` of processor time (+10 s of slack) beyond what was used so far.

    RLIMIT_CPU counts the process's whole life, so it is moved forward before each task; past it the
    kernel sends SIGXCPU, which ends the worker. A backstop: the parent's wall-clock timeout normally
    stops a stuck file first.
    """
    try:
        import resource

        usage = resource.getrusage(resource.RUSAGE_SELF)
        soft = int(usage.ru_utime + usage.ru_stime + seconds + 10) + 1
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    except (ImportError, ValueError, OSError):
        pass


def _alarm(seconds: int) -> None:
    """Self-destruct after `seconds` of wall-clock time (0 cancels); POSIX only.

    A backstop for a worker whose parent died while it was stuck (a sleeping hang uses no CPU time, so
    RLIMIT_CPU never ends it): SIGALRM's default action ends the process. The parent's timeout is shorter.
    """
    import signal

    if hasattr(signal, "alarm"):
        signal.alarm(seconds)


def main() -> None:
    """Serve tasks until the parent closes stdin (or sends None)."""
    proto_in = os.fdopen(os.dup(0), "rb")
    proto_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # library prints (C or Python) now reach stderr, never the protocol stream
    sys.stdout = sys.stderr
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    try:
        parent_path = recv(proto_in)
        sys.path[:] = list(parent_path) + [p for p in sys.path if p not in parent_path]
        config = recv(proto_in)
    except EOFError:
        return
    from analysis.ingest import parse
    from analysis.io import fit, gpx, strength, tcx_fast  # noqa: F401  imported now, not inside the first file's time

    parser = config.get("parser") or parse.parse_source
    timeout_s = float(config["timeout_s"])
    limit_memory(int(config["memory_limit_bytes"]))
    send(proto_out, ("ready", os.getpid()))
    while True:
        try:
            task = recv(proto_in)
        except EOFError:
            return
        if task is None:
            return
        index, source, athlete, settings = task
        limit_cpu(timeout_s)
        _alarm(int(2 * timeout_s + 30))
        result = parse.guarded_parse(parser, source, athlete=athlete, settings=settings)
        _alarm(0)
        try:
            payload = pickle.dumps(("result", index, result), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # a result that cannot travel back is still reported against its file
            fallback = parse.failed_file(
                source, f"could not be read (internal error: the result could not be sent back: {exc})"
            )
            payload = pickle.dumps(("result", index, fallback), protocol=pickle.HIGHEST_PROTOCOL)
        del result, task, source
        write_frame(proto_out, payload)
        del payload


if __name__ == "__main__":
    main()
