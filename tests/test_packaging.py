"""What a fresh install gets: every library the code imports is declared in
setup.cfg, and constraints.txt pins every declared one (scripts/setup.sh installs
with it), so a fresh machine runs what the tests ran."""
from __future__ import annotations

import ast
import configparser
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OWN = {"indexer", "search_web", "bench", "tests"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[;\s]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _declared() -> set[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    lines = config["options"]["install_requires"].splitlines()
    return {_name(line) for line in lines if line.strip() and not line.strip().startswith("#")}


def _imported(top: str) -> set[str]:
    found = set()
    for path in (ROOT / top).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                found.add(node.module.split(".")[0])
    return found - OWN - set(sys.stdlib_module_names)


def test_every_library_the_app_imports_is_declared():
    providers = packages_distributions()
    declared = _declared()
    for module in sorted(_imported("indexer") | _imported("search_web")):
        distributions = {d.lower().replace("_", "-") for d in providers.get(module, [])}
        assert distributions & declared, f"{module} (from {distributions or 'nowhere'}) is not in install_requires"


def test_the_html_reader_reads_a_page(tmp_path):
    """lxml ≥ 5.2 moved lxml.html.clean into lxml_html_clean; without it trafilatura
    fails on every page (seen with pip 23.2 on a fresh machine)."""
    from indexer.api import inspect_file

    page = tmp_path / "page.html"
    body = "".join(f"<p>第{n}段：本局全面推进法治政府建设，严格规范公正文明执法，落实行政执法三项制度。</p>"
                   for n in range(1, 9))
    page.write_text(f"<html><head><title>x</title></head><body><nav>首页 &gt; 政务公开</nav>"
                    f"<article><h1>某某局2023年法治政府建设年度报告</h1>{body}</article></body></html>",
                    encoding="utf-8")
    report = inspect_file(page)
    assert report.fmt == "html" and "落实行政执法三项制度" in report.text


def test_constraints_pin_every_declared_requirement():
    pinned = {_name(line) for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")}
    assert _declared() - pinned == set()
    assert all("==" in line for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.startswith("#"))
