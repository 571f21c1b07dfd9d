"""gradtutor/cpu.py: training's BLAS runs on the cores other processes leave free."""

import subprocess
import sys
import time

import numpy as np
from threadpoolctl import threadpool_info

from gradtutor.cpu import INTERVAL, LoadAwareThreads, cores, free_threads


def blas_threads() -> list[int]:
    return [entry["num_threads"] for entry in threadpool_info() if entry["user_api"] == "blas"]


def test_threads_are_the_cores_others_leave_free_and_at_least_one():
    assert free_threads(0.0, 2) == 2
    assert free_threads(0.1, 2) == 2  # a shell prompt's burst leaves the core free
    assert free_threads(1.0, 2) == 1  # a neighbour holds a core
    assert free_threads(0.6, 4) == 3
    assert free_threads(9.0, 2) == 1  # never none
    assert free_threads(0.0, 1) == 1


def test_the_blas_gets_its_own_setting_back_afterwards():
    np.ones((4, 4)) @ np.ones((4, 4))
    before = blas_threads()
    with LoadAwareThreads(available=1) as threads:
        assert threads.count == 1
        assert blas_threads() == [1] * len(before)
    assert blas_threads() == before


def test_a_busy_neighbour_is_measured_and_takes_a_thread():
    neighbour = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        with LoadAwareThreads() as threads:
            time.sleep(INTERVAL * 1.5)
            threads.refresh()
            assert threads.others >= 0.7  # the neighbour's core, at least (more on a busy machine)
            assert threads.count == max(1, min(threads.count, cores() - 1))
    finally:
        neighbour.kill()
        neighbour.wait()
