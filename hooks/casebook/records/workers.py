"""Numbered tasks run in forked worker processes, their results read back in task order (Linux).

Why not concurrent.futures: its results come back through one pipe shared by all workers and are
read by a thread of the parent. A worker's result (half a megabyte of records) then waits, a pipe
buffer at a time, for that thread to get the GIL from the main thread, which is busy checking the
records before it; the workers spent an eighth of their time so. Here each worker has a pipe of its
own, made large enough to take a result or two at once, and the main thread reads it when it
needs the next result: no thread, no lock, and a worker is never kept waiting by the others.

A worker inherits everything from the parent through fork(); only task numbers and the bytes
each task returns cross between processes.
"""

from __future__ import annotations

import gc
import os
import select
import signal
import struct
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

_TASK = struct.Struct("<I")
_FRAME = struct.Struct("<II")  # task number, then the length of the bytes that follow
_FAILED = 0xFFFFFFFF  # in place of a task number: the bytes are the worker's traceback
_PIPE_SIZE = 1 << 20  # Linux's default limit for an unprivileged process
MAX_TASKS = (64 * 1024) // _TASK.size  # all task numbers must fit in a pipe of the smallest size


class WorkerError(RuntimeError):
    """A worker failed or ended before it had done its tasks."""


@contextmanager
def fork_map(run: Callable[[int], bytes], tasks: int, workers: int) -> Iterator[Iterator[bytearray]]:
    """run(0), run(1) ... run(tasks - 1) shared out among `workers` forked processes.

    Gives an iterator of their results in task order; leaving the block stops the workers, also
    when the results were not all read (an exception)."""
    if not 0 < tasks <= MAX_TASKS:
        raise ValueError(f"between 1 and {MAX_TASKS} tasks, not {tasks}")
    # Every task number goes into one pipe before any worker starts; each worker reads the next
    # four bytes when it is free, so the work shares itself out, and reads end-of-file when done.
    task_read, task_write = os.pipe()
    _enlarge(task_write)
    _write(task_write, b"".join(_TASK.pack(task) for task in range(tasks)))
    os.close(task_write)
    results: dict[int, int] = {}  # the parent's end of each worker's pipe, and the worker's pid
    try:
        for _ in range(workers):
            read_end, write_end = os.pipe()
            _enlarge(write_end)
            pid = os.fork()
            if pid == 0:  # the worker: it must never return into the parent's code
                status = 1
                try:
                    os.close(read_end)
                    for fd in results:
                        os.close(fd)
                    status = _serve(run, task_read, write_end)
                finally:
                    os._exit(status)
            os.close(write_end)
            results[read_end] = pid
        os.close(task_read)
        task_read = -1
        yield _gather(results, tasks)
    except BaseException:
        for pid in results.values():  # stopped early: their results are no longer wanted
            _kill(pid)
        raise
    finally:
        if task_read >= 0:
            os.close(task_read)
        for fd, pid in results.items():
            os.close(fd)  # a worker still writing gets EPIPE and ends
            os.waitpid(pid, 0)


def _enlarge(fd: int) -> None:
    import fcntl  # here, not above: the loader imports this module on Windows too, where it is unused

    # A smaller pipe only makes a worker wait sooner for the parent to read.
    with suppress(OSError, AttributeError):
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)


def _serve(run: Callable[[int], bytes], tasks: int, out: int) -> int:
    # A worker lives for one load: its garbage is reference-counted trees, and the cycle collector
    # would only walk the heap it shares with the parent, copying each page it touches.
    gc.disable()
    try:
        while number := os.read(tasks, _TASK.size):
            (task,) = _TASK.unpack(number)
            result = run(task)
            _write(out, _FRAME.pack(task, len(result)))
            _write(out, result)
        return 0
    except BaseException:
        text = traceback.format_exc().encode("utf-8", "replace")
        try:
            _write(out, _FRAME.pack(_FAILED, len(text)))
            _write(out, text)
        except OSError:
            pass  # the parent is gone
        return 1


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _gather(results: dict[int, int], tasks: int) -> Iterator[bytearray]:
    ready: dict[int, bytearray] = {}
    live = list(results)
    for task in range(tasks):
        # Wait for the task's result if it is not in yet; either way take whatever else has come,
        # so that a worker that is ahead finds room in its pipe for the next one.
        while True:
            waiting = task not in ready
            if waiting and not live:
                raise WorkerError("a worker stopped before it had read all the records")
            readable = select.select(live, [], [], None if waiting else 0)[0] if live else []
            for fd in readable:
                head = _read(fd, _FRAME.size)
                if head is None:  # end of file: that worker is done
                    live.remove(fd)
                    continue
                number, size = _FRAME.unpack(head)
                body = _read(fd, size)
                if body is None:
                    raise WorkerError("a worker stopped in the middle of sending a result")
                if number == _FAILED:
                    raise WorkerError("a worker failed:\n" + body.decode("utf-8", "replace"))
                ready[number] = body
            if task in ready:
                break
        yield ready.pop(task)


def _read(fd: int, size: int) -> bytearray | None:
    """Exactly size bytes (the writer is sending them now), or None at end of file."""
    buffer = bytearray(size)
    with memoryview(buffer) as view:
        got = 0
        while got < size:
            n = os.readv(fd, [view[got:]])
            if n == 0:
                return None
            got += n
    return buffer


def _kill(pid: int) -> None:
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
