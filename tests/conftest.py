"""Shared fixtures: real seed records, small projects written inline, building them."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.cli import main
from sitegen.project import Project
from sitegen.report import RecordingReporter

REPO = Path(__file__).resolve().parent.parent
SEEDS = Path(__file__).resolve().parent / "seeds"

PUBLISHER = """\
name: {zh: 测试局, en: Test Bureau}
"""

# A minimal valid record; tests replace parts of it to make one mistake at a time.
RECORD = """\
kind: target-table
form: shanghai-2023
title: 财政项目支出绩效目标申报表
year: 2023
project:
  name: {zh: 测试项目, en: Test project}
  competent_department: 上海市司法局
  start: 2023-01-01
  end: 2023-12-31
funding:
  - caption: 项目资金
    unit: 元
    rows:
      - label: 项目资金总额
        amount: 1,000.00
        parts:
          - label: 其中：财政资金
            amount: 1,000.00
goals:
  - label: 年度总体目标
    text: 完成任务。
indicators:
  headers: [一级指标, 二级指标, 三级指标]
  targets: [年度指标值]
  first_levels:
    - name: 产出指标
      second_levels:
        - name: 数量指标
          indicators:
            - name: 培训次数
              value: "=4(次)"
"""


def write_project(root: Path, records: dict[str, str], publisher: str = PUBLISHER) -> Project:
    """A project with the real templates and theme and the given records.

    Keys of `records` are paths under content/test-bureau/ (e.g. `2023/a.yaml`).
    """
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "theme", root / "theme")
    folder = root / "content" / "test-bureau"
    folder.mkdir(parents=True)
    (folder / "publisher.yaml").write_text(publisher, encoding="utf-8")
    for name, text in records.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return Project(root)


@contextmanager
def saved_after_parsing(monkeypatch: pytest.MonkeyPatch, record: Path, text: str
                        ) -> Iterator[None]:
    """Within it, each record parse of a build (in this process) is followed by `text`
    saved over `record`: an editor saving while the build runs."""
    from sitegen import pipeline

    parse = pipeline.load_record

    def parse_then_save(file, *args):
        loaded = parse(file, *args)
        record.write_text(text, encoding="utf-8")
        return loaded

    monkeypatch.setattr(pipeline, "load_record", parse_then_save)
    try:
        yield
    finally:
        monkeypatch.setattr(pipeline, "load_record", parse)


@pytest.fixture
def project_factory(tmp_path: Path):
    made = iter(range(1000))

    def make(records: dict[str, str], publisher: str = PUBLISHER) -> Project:
        return write_project(tmp_path / f"project-{next(made)}", records, publisher)
    return make


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real content/ built once for the session; returns the build folder."""
    root = tmp_path_factory.mktemp("seed-site")
    for part in ("content", "templates", "theme"):
        shutil.copytree(REPO / part, root / part)
    build(Project(root), RecordingReporter())
    return root / "build"


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the n-th line containing `needle`."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


def run_cli(capsys: pytest.CaptureFixture[str], project: Project, *args: str
            ) -> tuple[int, str]:
    """Run `sitegen` in-process; returns the exit status and everything it printed."""
    status = main(["--project", str(project.root), *args])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the whole session (search and accessibility tests)."""
    from sitegen.browser import chromium

    try:
        with chromium() as launched:
            yield launched
    except RuntimeError as missing:
        pytest.fail(str(missing))


@pytest.fixture(scope="session")
def served_seed(seed_site: Path):
    """The seed site's build folder over HTTP on 127.0.0.1, for the browser tests."""
    from sitegen.browser import LocalSite

    site = LocalSite(seed_site)
    yield site
    site.close()
