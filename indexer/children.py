"""Worker processes die with the process that started them.

A build forks processes (Whoosh's writers, the reading pool).  Killed with
``kill -9``, the build cannot stop them, and a Whoosh writer waiting for work
would live on forever holding its memory (2 × 150 MB were seen).  So every
child asks the kernel to kill it when its parent dies (Linux's
``PR_SET_PDEATHSIG``); elsewhere a thread in the child watches the parent.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import threading
import time

_PR_SET_PDEATHSIG = 1
_forking_parent = 0          # set in the parent just before each fork; the child reads its copy
_installed = False


def die_with_parent(parent: int) -> None:
    """In a child: be killed when ``parent`` dies (and exit now if it already has)."""
    if not _ask_kernel() and threading.current_thread() is threading.main_thread():
        threading.Thread(target=_watch, args=(parent,), name="parent-watch", daemon=True).start()
    if os.getppid() != parent:           # died before we asked: we were adopted already
        os._exit(1)


def die_with_parent_on_fork() -> None:
    """From now on, every process forked by this one dies with it."""
    global _installed
    if _installed or not hasattr(os, "register_at_fork"):
        return
    os.register_at_fork(before=_remember_parent, after_in_child=lambda: die_with_parent(_forking_parent))
    _installed = True


def _remember_parent() -> None:
    global _forking_parent
    _forking_parent = os.getpid()


def _ask_kernel() -> bool:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)
