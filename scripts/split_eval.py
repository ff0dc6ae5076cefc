"""Split an evaluation set into a development half and a sealed half, per family, seed fixed.

Run once when a set arrives, before any design change; the sealed half is read only by the
final measurement, never while developing.
    python scripts/split_eval.py tsv FILE FAMILY_COLUMN OUT_DIR   (tab-separated, header line)
    python scripts/split_eval.py jsonl FILE FAMILY_KEY OUT_DIR
"""

from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from pathlib import Path

SEED = 20261202


def split(rows: list, family_of) -> tuple[list, list]:
    by_family: dict[str, list] = defaultdict(list)
    for row in rows:
        by_family[family_of(row)].append(row)
    rng = random.Random(SEED)
    dev, sealed = [], []
    for family in sorted(by_family):
        members = by_family[family][:]
        rng.shuffle(members)
        half = (len(members) + 1) // 2
        dev += members[:half]
        sealed += members[half:]
    return dev, sealed


def main(kind: str, source: str, key: str, out: str) -> None:
    path, out_dir = Path(source), Path(out)
    if kind == "tsv":
        header, *lines = path.read_text(encoding="utf-8").splitlines()
        column = header.split("\t").index(key)
        dev, sealed = split([ln for ln in lines if ln.strip()], lambda r: r.split("\t")[column])
        for half, rows in (("dev", dev), ("sealed", sealed)):
            text = "\n".join([header, *rows]) + "\n"
            (out_dir / half / path.name).write_text(text, encoding="utf-8")
    else:
        rows = [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines() if ln]
        dev, sealed = split(rows, lambda r: str(r[key]))
        for half, items in (("dev", dev), ("sealed", sealed)):
            text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in items)
            (out_dir / half / path.name).write_text(text, encoding="utf-8")
    print(f"{path.name}: {len(dev)} development, {len(sealed)} sealed")


if __name__ == "__main__":
    main(*sys.argv[1:5])
