"""How many BLAS threads training uses: the cores other processes leave free, measured as it runs.

OpenBLAS splits each product over its threads and waits for the slowest. When another process
holds a core (a browser, a build), one of those threads waits for the scheduler at every product:
a step took 50 to 100 times as long as on one thread (an LSTM step 12 ms → 0.6–1.2 s on a
2-core machine). One thread fewer than the cores other processes leave free loses nothing there.

`LoadAwareThreads` samples the machine's busy time (/proc/stat) and this process's own CPU time
at most every `INTERVAL` seconds; what is left is the other processes' load, in cores. It gives
the BLAS the cores they leave free (at least one) through threadpoolctl, so it works with
OpenBLAS, MKL or BLIS alike, and restores the BLAS's own setting at the end. Where /proc/stat
cannot be read (macOS, Windows) it starts from the load average and keeps that choice.
The BLAS is found when first asked for, once numpy is loaded.
"""

from __future__ import annotations

import math
import os
import time

INTERVAL = 0.5  # seconds between two samples: long enough for a busy core to show, short for a run
MARGIN = 0.3  # of a core: a neighbour's short bursts (a shell prompt, a file save) leave a core free


def _machine_busy() -> float | None:
    """CPU seconds spent by all processes since boot (all cores), from /proc/stat; None if unreadable."""
    try:
        with open("/proc/stat", "rb") as stat:
            fields = stat.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != b"cpu":
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _own_busy() -> float:
    times = os.times()
    return times.user + times.system


def cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def free_threads(others: float, available: int) -> int:
    """Threads for the BLAS when other processes keep `others` cores busy, of `available`."""
    return max(1, min(available, math.floor(available - others + MARGIN)))


class LoadAwareThreads:
    """`with LoadAwareThreads() as threads: … threads.refresh() …`: the BLAS runs on the cores
    other processes leave free; `refresh()` (cheap: a clock read between samples) follows a load
    that comes or goes while training runs. `threads.count` is the current choice."""

    def __init__(self, available: int | None = None):
        self.available = available or cores()
        self.count = self.available
        self._blas = None  # threadpoolctl's controllers of the loaded BLAS libraries
        self._original = None  # their thread counts before this block
        self._sample = None  # (wall, machine busy, own busy) at the last sample
        self.others = 0.0  # cores other processes kept busy, as last measured

    def __enter__(self):
        from threadpoolctl import ThreadpoolController

        self._blas = ThreadpoolController().select(user_api="blas").lib_controllers
        self._original = [library.get_num_threads() for library in self._blas]
        self.available = min([self.available, *self._original])
        self._sample = self._measure()
        try:
            self.others = os.getloadavg()[0]  # the last minute: before this run started, mostly others
        except (AttributeError, OSError):
            self.others = 0.0
        self.apply(free_threads(self.others, self.available))
        return self

    def __exit__(self, *exc_info):
        for library, count in zip(self._blas or (), self._original or ()):
            library.set_num_threads(count)
        self._blas = self._original = None
        return False

    def refresh(self) -> int:
        """Sample the load if `INTERVAL` has passed, and follow it; returns the thread count."""
        now = time.perf_counter()
        if self._sample is None or now - self._sample[0] < INTERVAL:
            return self.count
        previous, self._sample = self._sample, self._measure(now)
        if previous[1] is None or self._sample[1] is None:
            return self.count
        wall = self._sample[0] - previous[0]
        self.others = max(0.0, ((self._sample[1] - previous[1]) - (self._sample[2] - previous[2])) / wall)
        self.apply(free_threads(self.others, self.available))
        return self.count

    @staticmethod
    def _measure(now: float | None = None):
        return (time.perf_counter() if now is None else now), _machine_busy(), _own_busy()

    def apply(self, count: int) -> None:
        """Run the BLAS on `count` threads (refresh does this itself when the load changes)."""
        self.count = count
        for library in self._blas or ():
            if library.get_num_threads() != count:
                library.set_num_threads(count)
