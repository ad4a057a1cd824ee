"""The README's worked conjecture ("gradient flow on UVᵀ is a mirror flow") really is falsified.

The code block is read from README.md (section "Writing your own conjecture"), written to a temporary
directory as a user would, and run by pytest with the installed plugin.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from theorems.suite import cli

pytest_plugins = ["pytester"]

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_conjecture() -> str:
    text = README.read_text()
    section = text.split("## Writing your own conjecture", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "README's conjecture section has no python block"
    return match.group(1)


def test_readme_conjecture_is_falsified_and_reproduced(pytester: pytest.Pytester, monkeypatch, capsys) -> None:
    profile = settings.get_current_profile_name()
    monkeypatch.setattr(sys, "path", list(sys.path))
    pytester.makepyfile(test_uvt_mirror=readme_conjecture())
    try:
        result = pytester.runpytest("-q", "--hypothesis-profile=ci")
    finally:
        settings.load_profile(profile)
    result.assert_outcomes(failed=1)
    doc = json.loads((pytester.path / "reports" / "summary.json").read_text())
    (rec,) = doc["statements"]
    assert (rec["id"], rec["kind"], rec["verdict"]) == ("me:uvt-is-mirror-flow", "conjecture", "falsified")
    folder = pytester.path / "reports" / rec["report"]
    assert {"counterexample.json", "report.md", "plot-1.png"} <= {f.name for f in folder.iterdir()}
    assert rec["witness"]["discrepancy"] > 1e3 * rec["witness"]["budget"]
    capsys.readouterr()
    assert rec["witness"]["reproduce"].endswith("--module test_uvt_mirror")
    assert (
        cli.main(
            ["reproduce", str(folder / "counterexample.json"), "--module", str(pytester.path / "test_uvt_mirror.py")]
        )
        == 1
    )
    assert "reproduced exactly" in capsys.readouterr().out
    sys.modules.pop("test_uvt_mirror", None)
