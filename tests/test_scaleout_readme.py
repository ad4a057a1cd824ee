"""The cluster loop of docs/campaigns.md runs as written on this machine, with localhost standing for the hosts.

The block between ``<!-- cluster-loop -->`` markers is run by ``bash`` from the checkout with three
localhosts, the stores and the merged store in a temporary directory, and ``ARGS`` narrowing the campaign to
three cheap statements at ``ci``: every one is run by exactly one shard and the merged store holds all three.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHEAP = ("li2022:thm-4.15a", "li2022:thm-4.15b", "li2022:quadratic-bracket")


def readme_loop() -> str:
    text = (ROOT / "docs" / "campaigns.md").read_text()
    block = text.split("<!-- cluster-loop -->", 1)[1].split("<!-- /cluster-loop -->", 1)[0]
    match = re.search(r"```sh\n(.*?)```", block, re.S)
    assert match, "docs/campaigns.md has no cluster loop"
    return match.group(1)


def test_the_readme_cluster_loop_runs_here(tmp_path: Path) -> None:
    env = dict(
        os.environ,
        STORES=str(tmp_path / "shards"),
        MERGED=str(tmp_path / "merged"),
        ARGS="--hypothesis-profile=ci " + " ".join(f"--statement={s}" for s in CHEAP),
        PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    )
    out = subprocess.run(
        ["bash", "-euc", readme_loop()], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    per_shard = [
        {r["id"] for r in json.loads((d / "summary.json").read_text())["statements"]}
        for d in sorted((tmp_path / "shards").iterdir())
        if (d / "summary.json").exists()
    ]
    assert sorted(sid for ids in per_shard for sid in ids) == sorted(CHEAP)  # each once
    merged = json.loads((tmp_path / "merged" / "summary.json").read_text())
    assert {r["id"]: r["verdict"] for r in merged["statements"]} == dict.fromkeys(CHEAP, "held")
