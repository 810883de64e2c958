"""Run every benchmark module (`bench/*_bench.py`) in name order; exit 1 if any of them failed.

A module joins by being named `<topic>_bench.py` and defining `main()`, which prints its own tables.
"""

import importlib
import pkgutil
import sys
import time
import traceback

import bench


def main() -> int:
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.endswith("_bench"))
    failed = []
    for name in names:
        print(f"=== bench.{name} ===", flush=True)
        started = time.perf_counter()
        try:
            importlib.import_module(f"bench.{name}").main()
        except Exception:
            # One broken benchmark must not hide the others' tables.
            traceback.print_exc()
            failed.append(name)
        print(f"--- bench.{name}: {time.perf_counter() - started:.1f} s\n", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
