"""Shared by the bench scripts: best-of-N timing and Markdown tables of figures, baselines and targets."""

import time


def print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    print(f"\n{title}\n")
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))


def met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def best_time(fn, repeats: int = 3) -> float:
    """Minimum wall time of fn() over repeats (the least disturbed run on a shared machine)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)
