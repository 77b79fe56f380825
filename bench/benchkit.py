"""What the benchmark scripts share: a fresh database to run against and a timed, measured call.

One copy here so every script starts from the same empty database and measures time and memory
the same way, and their figures stay comparable.
"""

import os
import time
import tracemalloc


def fresh_database(tmp):
    """Recreate DATABASE_URL's PostgreSQL database, or point SQLite at a new file under tmp."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        os.environ["PACKER_VAR_DIR"] = str(tmp / "var")


def timed_with_peak(run):
    """(result, seconds, peak bytes): run timed once, then again under tracemalloc.

    Twice because tracemalloc slows the code it watches: the first run gives honest time, the
    second the peak of Python allocations.
    """
    started = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    run()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak
