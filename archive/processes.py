"""Child processes that must not outlive the process that forked them (the ingest's reader
process, Whoosh's writer processes): a kill leaves the parent no chance to end them, and
an orphan would wait forever for work, holding what it inherited (the index's lock)."""

import ctypes
import ctypes.util
import functools
import multiprocessing
import os
import signal

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


@functools.cache
def libc() -> ctypes.CDLL | None:
    """The C library (glibc on Linux), loaded once; None where there is none to load."""
    # glibc's name first: find_library runs ldconfig to look.
    for name in ("libc.so.6", ctypes.util.find_library("c")):
        try:
            return ctypes.CDLL(name, use_errno=True) if name else None
        except OSError:
            continue
    return None


def die_with_parent() -> None:
    """SIGKILL this process when its parent dies, however it dies. Call it first thing in a
    multiprocessing child. Not Linux: nothing is asked (the caller's own ways apply)."""
    # The parent's pid as multiprocessing noted it before the fork: getppid() read here
    # would already be the adopting process's if the parent died in between.
    parent = multiprocessing.parent_process()
    expected = parent.pid if parent is not None else os.getppid()
    try:
        libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except AttributeError:  # no C library, or one without prctl
        return
    if os.getppid() != expected:  # the parent died before the signal was asked for
        os._exit(1)
