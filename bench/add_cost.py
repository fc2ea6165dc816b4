"""The cost of ``add`` of one report, against the size of the index it goes into.

    python -m bench.add_cost --scale 1 --scale 20 [--work DIR] [--rounds 3]

For each scale: generate the corpus (as ``bench.run`` does), build it once, then add one report
(an edited copy of a report already in it, so that the add replaces it and deletes its old
passages) ``rounds`` times in each mode, alternating: ``link`` (the served generation's segments
are shared by hard links) and ``copy`` (hard links refused, as on a file system without them: every
segment is copied, which is what ``add`` did before). Prints the median wall and CPU seconds of the
add in each mode and how many bytes the new generation wrote versus shared with the served one.
"""

from __future__ import annotations

import argparse
import errno
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.corpus import make_corpus
from bench.run import folder_size


def written_and_shared(generation: Path) -> tuple[int, int]:
    """Bytes of files only this generation holds, and of files it shares (more than one link)."""
    written = shared = 0
    for path in generation.iterdir():
        st = path.stat()
        if st.st_nlink > 1:
            shared += st.st_size
        else:
            written += st.st_size
    return written, shared


def _no_links(src, dst, *args, **kwargs):
    raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))


def bench_add(scale: int, work: Path, rounds: int) -> dict:
    from search.whoosh_index import store
    from search.whoosh_index.indexing import add, build

    src, places = make_corpus(scale, work)
    os.environ["POLICY_SEARCH_PLACES_FILE"] = str(places)
    index = work / f"index-{scale}x"
    build(src, index)
    report = sorted(src.glob("*.txt"))[0]
    text = report.read_text(encoding="utf-8")
    row = {"scale": scale, "index_mb": folder_size(store.current_generation(index)) / 2**20}
    runs = {"link": [], "copy": []}
    real_link = os.link
    for n in range(rounds):
        for mode in runs:
            edited = work / f"edited-{scale}x-{mode}-{n}.txt"
            edited.write_text(text.replace("。", "。 ", n + 1), encoding="utf-8")
            os.link = real_link if mode == "link" else _no_links
            try:
                wall, cpu = time.perf_counter(), time.process_time()
                add([edited], index)
                runs[mode].append((time.perf_counter() - wall, time.process_time() - cpu))
            finally:
                os.link = real_link
            written, shared = written_and_shared(store.current_generation(index))
            row[f"{mode}_written_mb"], row[f"{mode}_shared_mb"] = written / 2**20, shared / 2**20
    for mode, times in runs.items():
        row[f"{mode}_wall_s"] = statistics.median(t[0] for t in times)
        row[f"{mode}_cpu_s"] = statistics.median(t[1] for t in times)
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, action="append")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None, help="Folder for corpora and indexes.")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="add-cost-"))
    for scale in args.scale or [1]:
        row = bench_add(scale, work / f"s{scale}", args.rounds)
        os.environ.pop("POLICY_SEARCH_COUNTIES_FILE", None)
        for mode in ("link", "copy"):
            print(f"{row['scale']:>4}x  index {row['index_mb']:6.1f} MB  {mode}: add median {row[f'{mode}_wall_s']:.2f} s "
                  f"wall, {row[f'{mode}_cpu_s']:.2f} s CPU; the new generation wrote "
                  f"{row[f'{mode}_written_mb']:.1f} MB and shared {row[f'{mode}_shared_mb']:.1f} MB", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
