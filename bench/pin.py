"""Keep files resident in memory while a bench measures (mmap + mlock; needs root or a large
RLIMIT_MEMLOCK), then let go on Ctrl-C / SIGTERM.

    .venv/bin/python -m bench.pin bench/out/skewed/sqlite/kehu.sqlite3 /var/lib/postgresql/15/main/base/<oid>

Why: this VM runs DAMON proactive reclaim (kdamond, action pageout: pages not touched for about
a minute are written out), so a bench over a 4 GB database reads from disk whatever its mix
touched least recently, and the same run's p95 varied 2x from one run to the next. A database
server sized for its data keeps it in the page cache; pinning measures that case. Reported
beside the unpinned figures (docs/PERFORMANCE.md), never instead of them.
"""

from __future__ import annotations

import ctypes
import mmap
import os
import signal
import sys
from pathlib import Path

LIBC = ctypes.CDLL("libc.so.6", use_errno=True)
MCL_CURRENT = 1


def _files(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        found += [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
    return found


def main() -> int:
    maps = []
    total = 0
    for path in _files(sys.argv[1:]):
        size = path.stat().st_size
        if not size:
            continue
        with path.open("rb") as handle:
            maps.append(mmap.mmap(handle.fileno(), size, access=mmap.ACCESS_READ))
        total += size
    if LIBC.mlockall(MCL_CURRENT) != 0:  # every mapping above, faulted in and kept
        print(f"mlockall failed: errno {ctypes.get_errno()}", file=sys.stderr)
        return 1
    print(f"pinned {len(maps)} files, {total / 2**30:.2f} GiB (pid {os.getpid()})", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
