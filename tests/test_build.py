"""The build as a whole: atomic, deterministic, drafts left out, links relative."""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

import pytest
from conftest import RECORD, REPO, run_cli, saved_after_parsing

from sitegen import pipeline
from sitegen.build import build
from sitegen.errors import BuildError
from sitegen.report import RecordingReporter


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build_leftovers(root: Path, wait: float = 30.0) -> list[str]:
    """The `.build…` folders beside build/ once the detached deleters are done (or `wait`
    seconds have passed)."""
    deadline = time.monotonic() + wait
    while True:
        leftovers = sorted(p.name for p in root.iterdir() if p.name.startswith(".build"))
        if not leftovers or time.monotonic() > deadline:
            return leftovers
        time.sleep(0.05)


def test_two_builds_are_byte_identical(tmp_path: Path, monkeypatch):
    """In one process and with the worker pool (every seed record, the evaluation report
    and the search index included)."""
    from sitegen.project import Project

    monkeypatch.setattr(pipeline, "PARALLEL_THRESHOLD", 1)  # 21 records: a pool all the same
    first, second = tmp_path / "first", tmp_path / "second"
    build(Project(REPO), RecordingReporter(), workers=1, output=first, pdf=False)
    build(Project(REPO), RecordingReporter(), workers=2, output=second, pdf=False)
    assert len(tree_digest(first)) > 40
    # The search index too: Pagefind writes its filters in hash-map order, which
    # sitegen/search_order.py sorts.
    assert any(path.startswith("pagefind/filter/") for path in tree_digest(first))
    assert tree_digest(first) == tree_digest(second)


def test_a_site_built_by_the_worker_pool_is_the_one_built_in_one_process(tmp_path: Path):
    """Past pipeline.PARALLEL_THRESHOLD records the workers write pages, listings and data
    files, and the combined CSV is put together as their chunks come back: the same bytes
    as one process makes, the combined CSV every table's rows in content/'s order."""
    from sitegen.bench import write_corpus
    from sitegen.pipeline import PARALLEL_THRESHOLD
    from sitegen.project import Project

    corpus = tmp_path / "corpus"
    write_corpus(corpus, PARALLEL_THRESHOLD + 10)
    alone, pooled = tmp_path / "alone", tmp_path / "pooled"
    build(Project(corpus), RecordingReporter(), workers=1, output=alone, pdf=False,
          search=False)
    build(Project(corpus), RecordingReporter(), workers=2, output=pooled, pdf=False,
          search=False)
    assert tree_digest(alone) == tree_digest(pooled)
    tables = sorted((corpus / "content").glob("*/*/*.yaml"),
                    key=lambda path: path.relative_to(corpus / "content").parts)
    tables = [path for path in tables if path.name != "publisher.yaml"]
    rows = b"".join((pooled / "data" / path.parent.parent.name / path.parent.name
                     / f"{path.stem}.csv").read_bytes().split(b"\n", 1)[1] for path in tables)
    combined = (pooled / "data/indicators.csv").read_bytes()
    assert len(tables) > PARALLEL_THRESHOLD and combined.split(b"\n", 1)[1] == rows
    # tables.csv: the workers' lines, a record each, in the records' order.
    listed = (pooled / "data/tables.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    assert [line.split(",")[4] for line in listed] == [path.stem for path in tables]
    # The first build took the records' fingerprint from the workers' own reads; reading
    # every input afresh must give the same, or this rebuild would not find it up to date.
    assert build(Project(corpus), RecordingReporter(), workers=2, output=pooled, pdf=False,
                 search=False).up_to_date


@pytest.mark.parametrize("threshold", [1, 10_000])  # through the workers, and in process
def test_progress_counts_records_volumes_and_listings_to_their_totals(tmp_path: Path,
                                                                      monkeypatch, threshold):
    """The progress line of each stage climbs to its total, whatever the chunks are."""
    from sitegen.project import Project

    class Progress(RecordingReporter):
        def __init__(self) -> None:
            super().__init__()
            self.steps: dict[str, list[tuple[int, int]]] = {}

        def progress(self, label: str, done: int, total: int) -> None:
            self.steps.setdefault(label, []).append((done, total))

    monkeypatch.setattr(pipeline, "PARALLEL_THRESHOLD", threshold)
    reporter = Progress()
    build(Project(REPO), reporter, workers=2, output=tmp_path / "site", pdf=False,
          search=False)
    assert {"records", "listings"} <= set(reporter.steps)
    for label, steps in reporter.steps.items():
        done = [step[0] for step in steps]
        assert done == sorted(done) and done[-1] == steps[-1][1] > 0, (label, steps)


def test_failed_build_leaves_previous_build_untouched(project_factory, capsys):
    project = project_factory({"2023/a.yaml": RECORD})
    assert run_cli(capsys, project, "build")[0] == 0
    before = tree_digest(project.build_dir)
    (project.content_dir / "test-bureau/2023/b.yaml").write_text("year: [\n", encoding="utf-8")
    status, output = run_cli(capsys, project, "build")
    assert status == 1 and "build failed: build/ was left as it was" in output
    assert tree_digest(project.build_dir) == before


def test_a_project_without_templates_or_theme_is_told_so_once(project_factory, capsys):
    """No templates/: one error saying so, beside the records' own (all checked), not one
    per page; no theme/: the site is built, and the run warns it has no stylesheet."""
    import shutil

    project = project_factory({"2023/a.yaml": RECORD, "2023/b.yaml": "year: [\n"})
    shutil.rmtree(project.templates_dir)
    status, output = run_cli(capsys, project, "build", "--no-pdf", "--no-search")
    assert status == 1, output
    assert output.count("there is no templates/ folder here") == 1, output
    assert "content/test-bureau/2023/b.yaml:2:" in output  # the records were checked
    assert "2 error(s)" in output and not project.build_dir.exists(), output
    project = project_factory({"2023/a.yaml": RECORD})
    shutil.rmtree(project.theme_dir)
    status, output = run_cli(capsys, project, "build", "--no-pdf", "--no-search")
    assert status == 0, output
    assert "theme: warning: there is no theme/ folder here" in output, output
    assert (project.build_dir / "zh/test-bureau/2023/a/index.html").is_file()


def test_a_full_disk_is_reported_as_such_not_as_a_bug(project_factory, capsys,
                                                        monkeypatch):
    """A write the system refuses (disk full, read-only folder) is the machine's
    trouble, not a bug of sitegen's nor a record's: said so, with the file, and build/
    stays as it was."""
    import errno

    from sitegen.write import FileTree

    project = project_factory({"2023/a.yaml": RECORD})
    assert run_cli(capsys, project, "build", "--no-pdf", "--no-search")[0] == 0
    before = tree_digest(project.build_dir)

    def disk_full(self, relative, content):
        raise OSError(errno.ENOSPC, "No space left on device", str(self.root / relative))

    monkeypatch.setattr(FileTree, "write_text", disk_full)
    (project.content_dir / "test-bureau/2023/a.yaml").write_text(
        RECORD.replace("测试项目", "新的项目"), encoding="utf-8")
    status, output = run_cli(capsys, project, "build", "--no-pdf", "--no-search")
    assert status == 74, output
    assert "the system refused to read or write a file" in output
    assert "No space left on device" in output and "index.html" in output
    assert "build/ was left as it was" in output
    assert "bug" not in output and "Traceback" not in output
    assert tree_digest(project.build_dir) == before


@pytest.mark.parametrize("failure", [KeyboardInterrupt, OSError])
def test_interrupted_build_midway_leaves_previous_build(project_factory, monkeypatch, failure):
    project = project_factory({"2023/a.yaml": RECORD,
                               "2023/b.yaml": RECORD.replace("测试项目", "另一个项目")})
    build(project, RecordingReporter())
    before = tree_digest(project.build_dir)
    (project.content_dir / "test-bureau/2023/c.yaml").write_text(
        RECORD.replace("测试项目", "第三个项目"), encoding="utf-8")
    real_render = pipeline.render_page
    calls = []

    def render_then_fail(renderer, page, diagnostics):
        calls.append(page.path)
        if len(calls) == 3:  # two pages are already written to the staging folder
            raise failure("stopped halfway")
        return real_render(renderer, page, diagnostics)

    monkeypatch.setattr(pipeline, "render_page", render_then_fail)
    with pytest.raises(failure):
        build(project, RecordingReporter(), pdf=False)
    assert tree_digest(project.build_dir) == before
    assert build_leftovers(project.root) == []


def test_a_build_that_died_mid_swap_is_recovered(project_factory, capsys):
    """Where the folders cannot be exchanged in one step, the swap is two renames; a run
    killed between them leaves `.build-old` and no build/. The next run puts the old site
    back first, so even when it fails the reader still has the last good site; leftover
    staging folders of killed runs are removed."""
    project = project_factory({"2023/a.yaml": RECORD})
    assert run_cli(capsys, project, "build", "--no-pdf", "--no-search")[0] == 0
    before = tree_digest(project.build_dir)
    project.build_dir.rename(project.root / ".build-old")
    stale = project.root / ".build-staging-99999"
    (stale / "zh").mkdir(parents=True)
    (project.content_dir / "test-bureau/2023/b.yaml").write_text("year: [\n", encoding="utf-8")
    status, output = run_cli(capsys, project, "build", "--no-pdf", "--no-search")
    assert status == 1 and "build failed: build/ was left as it was" in output
    assert tree_digest(project.build_dir) == before
    assert build_leftovers(project.root) == []
    (project.content_dir / "test-bureau/2023/b.yaml").unlink()
    assert run_cli(capsys, project, "build", "--no-pdf", "--no-search")[0] == 0


def test_replaced_site_is_deleted_by_a_process_of_its_own(project_factory, capsys,
                                                          monkeypatch):
    """Deleting the old site (15 s at 10 000 records) is not waited for: it is renamed
    aside at once, whole, and handed to a detached process, which removes it."""
    from sitegen import write

    project = project_factory({"2023/a.yaml": RECORD})
    assert run_cli(capsys, project, "build", "--no-pdf", "--no-search")[0] == 0
    (project.build_dir / "left-from-the-old-site.txt").write_text("old", encoding="utf-8")
    (project.content_dir / "test-bureau/2023/b.yaml").write_text(
        RECORD.replace("测试项目", "另一个项目"), encoding="utf-8")
    handed = []

    def record_then_delete(folder: Path) -> None:
        handed.append((folder.name, (folder / "left-from-the-old-site.txt").is_file()))
        real_delete(folder)

    real_delete = write.delete_in_background
    monkeypatch.setattr(write, "delete_in_background", record_then_delete)
    assert run_cli(capsys, project, "build", "--no-pdf", "--no-search")[0] == 0
    assert [whole for name, whole in handed if name.startswith(".build-trash-")] == [True]
    assert not (project.build_dir / "left-from-the-old-site.txt").exists()
    assert build_leftovers(project.root) == []


def test_a_deleter_at_work_is_not_doubled_and_leftovers_are_finished(tmp_path: Path):
    """The next build finds trash still being deleted: the deleter it sends leaves while
    the first holds its lock, and one sent later finishes the job."""
    import fcntl
    import os

    from sitegen import write

    trash = tmp_path / ".build-trash-1-0"
    (trash / "zh").mkdir(parents=True)
    (trash / "zh" / "index.html").write_text("old", encoding="utf-8")
    held = os.open(trash, os.O_RDONLY)
    fcntl.flock(held, fcntl.LOCK_EX)  # as a deleter at work holds it
    try:
        write.delete_in_background(trash)
        assert write._deleters[trash].wait(timeout=30) == 0
        assert (trash / "zh" / "index.html").exists()
    finally:
        os.close(held)
    write.delete_in_background(trash)
    assert build_leftovers(tmp_path) == []


def test_another_builds_staging_folder_is_left_alone(project_factory, capsys):
    """A staging folder whose build still runs is that build's work, not a leftover; once
    its process is gone the next build clears it away."""
    import subprocess
    import sys

    project = project_factory({"2023/a.yaml": RECORD})
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        staging = project.root / f".build-staging-{other.pid}"
        (staging / "zh").mkdir(parents=True)
        (staging / "zh" / "index.html").write_text("half-written", encoding="utf-8")
        assert run_cli(capsys, project, "build", "--no-pdf", "--no-search")[0] == 0
        assert (staging / "zh" / "index.html").read_text(encoding="utf-8") == "half-written"
    finally:
        other.kill()
        other.wait()
    (project.content_dir / "test-bureau/2023/b.yaml").write_text(  # not a no-change build
        RECORD.replace("测试项目", "另一个项目"), encoding="utf-8")
    assert run_cli(capsys, project, "build", "--no-pdf", "--no-search")[0] == 0
    assert build_leftovers(project.root) == []


@pytest.mark.parametrize("failing", ["process", "rename"])
def test_old_site_is_deleted_at_once_where_it_cannot_be_sent_away(tmp_path: Path,
                                                                   monkeypatch, failing):
    import subprocess

    from sitegen.write import discard

    def refuse(*args, **kwargs):
        raise OSError("cannot")

    monkeypatch.setattr(*((subprocess, "Popen", refuse) if failing == "process"
                          else (Path, "rename", refuse)))
    old = tmp_path / ".build-old"
    (old / "en").mkdir(parents=True)
    (old / "en" / "index.html").write_text("old", encoding="utf-8")
    discard(old, ".build-trash")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_template_error_names_template_and_line(project_factory):
    project = project_factory({"2023/a.yaml": RECORD})
    template = project.templates_dir / "table.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "{{ l.text(table.project.name) }}</h1>", "{{ table.project.nmae.zh }}</h1>"),
        encoding="utf-8")
    with pytest.raises(BuildError) as failure:
        build(project, RecordingReporter(), pdf=False)
    errors = failure.value.diagnostics.errors
    line = next(i for i, text in enumerate(template.read_text().splitlines(), 1)
                if "nmae" in text)
    assert len(errors) == 2  # the Chinese and the English page
    for error in errors:
        assert str(error.position) == f"templates/table.html:{line}:1"
        assert "nmae" in error.message
    assert not project.build_dir.exists()


def test_drafts_are_not_published(project_factory, capsys):
    draft = RECORD.replace("year: 2023\n", "year: 2023\ndraft: true\n")
    draft = draft.replace("测试项目", "草稿项目")
    project = project_factory({"2023/a.yaml": RECORD, "2023/draft.yaml": draft})
    assert run_cli(capsys, project, "build", "--no-pdf")[0] == 0
    assert not (project.build_dir / "zh/test-bureau/2023/draft").exists()
    listing = (project.build_dir / "zh/test-bureau/2023/index.html").read_text(encoding="utf-8")
    assert "草稿项目" not in listing and "测试项目" in listing


def test_links_are_relative_and_resolve(seed_site: Path):
    for page in seed_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for link in re.findall(r'(?:href|src)="([^"]+)"', html):
            assert not re.match(r"^(/|[a-z]+:)", link), (page, link)
            target = (page.parent / link.split("#")[0]).resolve()
            assert target.exists(), (page, link)


def test_a_relative_link_is_what_posixpath_relpath_gives():
    """site.relative_link skips relpath's absolute paths; it must agree with it."""
    import itertools
    import posixpath

    from sitegen.site import relative_link
    paths = ["index.html", "theme/style.css", "zh/index.html", "zh/search/index.html",
             "zh/a/2023/index.html", "zh/a/2023/t/index.html", "zh/a/2023/t/t.pdf",
             "en/a/2023/t/index.html", "zh/ab/2023/index.html", "zh/a/2024/t/index.html",
             "data/a/2023/t.json", "data/indicators.csv"]
    for page, target in itertools.product(paths, repeat=2):
        folder = posixpath.dirname(page)
        assert relative_link(target, folder) == posixpath.relpath(target, folder or "."), (
            page, target)
    assert relative_link("zh/a", "zh/a") == "."


def test_templates_still_hand_the_context_to_functions_that_ask_for_it(tmp_path: Path):
    """render._Context calls plain functions directly; one marked pass_context still
    gets the context, with the variables a loop sets."""
    import jinja2

    from sitegen.render import make_environment
    (tmp_path / "t.html").write_text(
        "{% for x in [1, 2] %}{% set y = x * 3 %}{{ shown() }}{{ plain(x) }} {% endfor %}",
        encoding="utf-8")
    environment = make_environment(tmp_path)
    environment.globals["shown"] = jinja2.pass_context(lambda context: context["y"])
    environment.globals["plain"] = lambda value: value * 10
    assert environment.get_template("t.html").render() == "310 620 "


def test_macros_render_as_with_jinjas_own_context(tmp_path: Path):
    """Macros (imported or local, with keyword arguments, defaults and `caller`) are not
    plain functions: render._Context hands them to Jinja's own call, and the page comes
    out exactly as Jinja's stock Context makes it."""
    import jinja2

    from sitegen.render import make_environment
    (tmp_path / "_m.html").write_text(
        "{% macro cell(text, cls='value') %}<td class=\"{{ cls }}\">{{ text }}</td>"
        "{% endmacro %}", encoding="utf-8")
    (tmp_path / "t.html").write_text(
        "{% import '_m.html' as m %}{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>"
        "{% endmacro %}{% for x in ['a<b', 'c'] %}{% call wrap('tr') %}{{ m.cell(x) }}"
        "{{ m.cell(x ~ loop.index, cls='n') }}{% endcall %}{% endfor %}", encoding="utf-8")
    ours = make_environment(tmp_path)
    stock = make_environment(tmp_path)
    stock.context_class = jinja2.runtime.Context
    expected = ('<tr><td class="value">a&lt;b</td><td class="n">a&lt;b1</td></tr>'
                '<tr><td class="value">c</td><td class="n">c2</td></tr>')
    assert stock.get_template("t.html").render() == expected
    assert ours.get_template("t.html").render() == expected


def test_publishing_a_target_table_leaves_no_cyclic_garbage(tmp_path: Path):
    """A worker pauses the cyclic collector while it loads and renders records
    (collector.py): that pays only while they make no reference cycles. A macro defined in
    a table's template made one per page, holding the whole record until a collection."""
    import gc

    from sitegen.content import plan_content
    from sitegen.errors import Diagnostics
    from sitegen.glossary import load_glossary
    from sitegen.pipeline import RecordPublisher, RecordWork
    from sitegen.project import Project

    publisher = RecordPublisher(RecordWork(load_glossary(), REPO / "templates", tmp_path))
    # Each published once first: templates compiled and caches filled before counting.
    tables = [(file, owner) for file, owner in plan_content(Project(REPO), Diagnostics()).records
              if publisher(file, owner).summary.kind == "target-table"]
    assert len(tables) >= 16
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for file, owner in tables:
            assert publisher(file, owner).summary is not None, file.shown_as
        gc.collect()
        garbage = sorted({type(found).__name__ for found in gc.garbage})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()
    assert garbage == [], garbage


def test_output_is_escaped_exactly_as_by_jinjas_own_escape(tmp_path: Path):
    """render.escaped stands in for markupsafe.escape in every `{{ … }}`: the same text
    for plain and safe strings, numbers and HTML-like objects, and pages that come out as
    with Jinja's stock classes, through blocks captured by `set`, filters and macros."""
    from decimal import Decimal

    import jinja2
    from markupsafe import Markup, escape

    from sitegen.render import escaped, make_environment

    class Html:
        def __html__(self) -> str:
            return "<i>kept</i>"

    samples = ['<a href="x">&\'', "纯文本", Markup("<b>safe</b>"), 12, Decimal("1.50"), None,
               Html()]
    for value in samples:
        assert escaped(value) == str(escape(value)), value
    (tmp_path / "t.html").write_text(
        "{% macro cell(v) %}<td>{{ v }}</td>{% endmacro %}{{ x }}{{ safe }}{{ n }}"
        "{% set held %}[{{ x }}]{% endset %}{{ held }}{% filter upper %}{{ x }}{% endfilter %}"
        "{{ cell(x) }}{{ x ~ safe }}{{ x if n else '' }}", encoding="utf-8")
    values = {"x": "<script>&", "safe": Markup("<br>"), "n": 3}
    ours = make_environment(tmp_path)
    stock = make_environment(tmp_path)
    stock.context_class, stock.template_class = jinja2.runtime.Context, jinja2.Template
    page = ours.get_template("t.html").render(values)
    assert page == stock.get_template("t.html").render(values)
    assert "<script>" not in page and page.startswith("&lt;script&gt;&amp;<br>3[&lt;script")


def test_templates_compiled_our_way_render_what_jinja_renders(tmp_path: Path, monkeypatch):
    """Includes compiled in place and `l.…` called directly (compiling.py): every page and
    data file of the seed site, search index included, is byte for byte what Jinja's
    own compilation makes."""
    import shutil

    from sitegen import render
    from sitegen.project import Project

    made = render.make_environment

    def built(inline: bool) -> dict[str, bytes]:
        root = tmp_path / f"inline-{inline}"
        for part in ("content", "templates", "theme"):
            shutil.copytree(REPO / part, root / part)
        monkeypatch.setattr(render, "make_environment", lambda folder, words=False, **_:
                            made(folder, words, stock=not inline))
        build(Project(root), RecordingReporter(), pdf=False)
        return {str(f.relative_to(root)): f.read_bytes() for f in sorted(root.rglob("*"))
                if f.is_file() and f.name != ".sitegen-build.json"}

    inlined, included = built(True), built(False)
    assert len(inlined) > 100 and inlined == included
    code = compiled_code(render.make_environment(REPO / "templates"), "table.html")
    assert "'_indicator_rows.html'" not in code, "the partials were not inlined"
    assert "context.call((undefined(name='l')" not in code, "l's methods were not called directly"
    assert "getattr((undefined(name='table')" in code, "attributes were not read directly"


# A page and the partial it includes, which reads `x`, `loop`, `varargs`... where an include
# and an inlined partial could differ: the inliner must leave these as includes.
PARTIAL_SCOPING = {
    "plain": ("{% for item in ['a', 'b'] %}{{ loop.index }}{% include '_p.html' %}"
              "{% endfor %}[{{ x }}]",
              "{% set x = 'inner' %}<{{ item }}{{ x }}{% for i in [1] %}{{ loop.index }}"
              "{% endfor %}>"),
    "loop given to a kept include": (
        "{% for i in [1] %}{% include '_p.html' %}{% include '_kept.html' %}{% endfor %}",
        "{% for j in [1] %}{{ loop.index }}{% endfor %}",
        {"_kept.html": "{% macro m() %}{% endmacro %}[{{ loop is defined }}]"}),
    "loop given after a block in a loop": (
        "{% for i in [1] %}{% block b %}{% endblock %}{% include '_p.html' %}"
        "{% include '_kept.html' %}{% endfor %}",
        "{% for j in [1] %}{{ loop.index }}{% endfor %}",
        {"_kept.html": "{% macro m() %}{% endmacro %}[{{ loop is defined }}]"}),
    "loop set by the partial": ("{% for i in [1] %}{% include '_p.html' %}{% endfor %}",
                                "{% set loop = 5 %}{{ loop }}"),
    "an unknown filter never reached": ("{% if flag %}{% include '_p.html' %}{% endif %}ok",
                                        "{{ x|no_such_filter }}"),
    "a partial not in UTF-8 never reached": (
        "{% if flag %}{% include '_gbk.html' %}{% endif %}ok", "",
        {"_gbk.html": "培训".encode("gbk")}),
    "set later": ("{% include '_p.html' %}{% set x = 'later' %}{{ x }}", "[{{ x }}]"),
    "set later in a loop": ("{% for i in [1, 2] %}{% include '_p.html' %}{% set x = i %}"
                            "{% endfor %}", "[{{ x }}]"),
    "set in a branch": ("{% if flag %}{% set x = 'set' %}{% endif %}{% include '_p.html' %}",
                        "[{{ x }}]"),
    "set before": ("{% set x = 'before' %}{% include '_p.html' %}{% set x = 'after' %}",
                   "[{{ x }}]"),
    "loop": ("{% for i in [1] %}{% include '_p.html' %}{% endfor %}", "{{ loop is defined }}"),
    "varargs": ("{% macro m() %}{% include '_p.html' %}{% endmacro %}{{ m(1) }}",
                "{{ varargs is defined }}"),
    "own loop over an outer name": ("{% for x in [1] %}{% endfor %}{% include '_p.html' %}",
                                    "{% for x in [2] %}{{ x }}{% endfor %}{{ x }}"),
    "itself": ("{% include '_p.html' %}", "{% if depth < 2 %}{% set depth = depth + 1 %}"
                                          "{{ depth }}{% include '_p.html' %}{% endif %}"),
    "a macro": ("{% include '_p.html' %}{{ m is defined }}",
                "{% macro m() %}M{{ x }}{% endmacro %}{{ m() }}"),
    "autoescape off": ("{% autoescape false %}{% include '_p.html' %}{% endautoescape %}",
                       "{{ html }}"),
    "a child template": ("{% extends 'base.html' %}{% include '_p.html' %}"
                         "{% block b %}{% include '_p.html' %}{% endblock %}", "P",
                         {"base.html": "BASE[{% block b %}{% endblock %}]"}),
    "a macro later": ("{% include '_p.html' %}{% macro x() %}{% endmacro %}", "[{{ x }}]"),
    "an import later": ("{% include '_p.html' %}{% import '_m.html' as x %}", "[{{ x }}]",
                        {"_m.html": "{% macro m() %}M{% endmacro %}"}),
    "a namespace": ("{% include '_p.html' %}{% set ns = namespace(a=0) %}[{{ ns.a }}]",
                    "{% set ns.a = 5 %}"),
    "self": ("{% block t %}T{% endblock %}{% include '_p.html' %}", "{{ self.t() }}"),
    "super": ("{% extends 'base.html' %}{% block b %}{% include '_p.html' %}{% endblock %}",
              "[{{ super() }}]", {"base.html": "{% block b %}BASE{% endblock %}"}),
    "a missing partial never reached": ("{% if flag %}{% include '_nope.html' %}{% endif %}ok",
                                        ""),
    "a broken partial never reached": ("{% if flag %}{% include '_p.html' %}{% endif %}ok",
                                       "{% if %}"),
    # `l` is the page's Localizer, whose calls are compiled direct; where a template gives
    # the name to something else, the call must be Jinja's.
    "l called": ("{{ l.ui('home') }}{% include '_p.html' %}", "{{ l.other_ui('home') }}"),
    "l.class() never reached": ("{% if flag %}{{ l.class() }}{% endif %}ok", ""),
    "l's method misspelt": ("{{ l.no_such_method() }}", ""),
    "l's method in full-width letters": ("{{ l.ｕｉ('home') }}", ""),
    "l set by the template": ("{% macro l() %}{{ varargs }}{% endmacro %}{{ l(1, 2) }}", ""),
    "l set by a child template": ("{% extends 'base.html' %}{% set l = words %}", "",
                                  {"base.html": "{{ l.upper() }}"}),
    "l imported": ("{% import '_m.html' as l %}{{ l.m() }}", "",
                   {"_m.html": "{% macro m() %}M{% endmacro %}"}),
    "l a loop's": ("{% for l in [words] %}{% include '_p.html' %}{% endfor %}",
                   "{% macro kept() %}{% endmacro %}{{ l.upper() }}"),
    # An attribute of a name is read by Python's getattr first (compiling.py, part 3);
    # where there is none, Jinja's item, undefined value and messages must follow.
    "an item read as an attribute": ("{% set d = {'k': 'item'} %}{{ d.k }}[{{ ns.a }}]", ""),
    "an attribute that is a Python keyword": ("{% set d = {'class': 'c'} %}{{ d.class }}", ""),
    "an attribute in full-width letters": ("{% set d = {'ｋ': 'wide', 'k': 'narrow'} %}"
                                           "{{ d.ｋ }}", ""),
    "a missing attribute": ("{{ ns.no_such }}", ""),
    "a missing attribute tested": ("{{ ns.no_such is defined }}", ""),
    "an attribute of an undefined name": ("{{ no_such_name.attribute }}", ""),
    "an attribute of an attribute": ("{{ words.upper.__name__ }}", ""),
}


def compiled_code(environment, name: str) -> str:
    source = environment.loader.get_source(environment, name)[0]
    return environment.compile(source, name, raw=True)


@pytest.mark.parametrize("case", PARTIAL_SCOPING)
def test_a_partial_sees_what_an_include_sees(tmp_path: Path, case: str):
    from jinja2.utils import Namespace

    from sitegen.glossary import load_glossary
    from sitegen.render import Localizer, make_environment

    page, partial, *others = PARTIAL_SCOPING[case]
    for name, text in {"page.html": page, "_p.html": partial, **(others or [{}])[0]}.items():
        (tmp_path / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    values = {"x": "context", "flag": False, "depth": 0, "html": "<b>", "ns": Namespace(a=1),
              "l": Localizer("en", load_glossary()), "words": {"upper": lambda: "WORDS"}}

    def rendered(inline: bool) -> str:
        try:
            return make_environment(tmp_path, stock=not inline).get_template(
                "page.html").render(values)
        except Exception as failure:  # the same failure, if it is one
            return f"{type(failure).__name__}: {failure}"

    assert rendered(True) == rendered(False)
    if case == "plain":
        assert rendered(True) == "1<ainner1>2<binner1>[context]"
        assert "get_template('_p.html'" not in compiled_code(
            make_environment(tmp_path), "page.html")


@pytest.mark.parametrize(("fault", "told"), [
    ("{{ table.no_such_field }}", "no_such_field"),
    ("{{ l.ui('no_such_words') }}", "KeyError: 'no_such_words'"),
    ("{{ l.no_such_method() }}", "no_such_method")])
def test_a_failing_partial_is_named_with_its_own_line(project_factory, capsys, fault, told):
    """Compiled our way, a partial's code runs inside the page's template and `l.…` is
    called directly; the error still names the partial and the line in it, as an editor
    who changed it needs."""
    project = project_factory({"2023/a.yaml": RECORD})
    facts = project.templates_dir / "_facts.html"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text + fault + "\n", encoding="utf-8")
    status, output = run_cli(capsys, project, "build", "--no-pdf", "--no-search")
    line = text.count("\n") + 1
    assert status == 1
    assert f"templates/_facts.html:{line}:1: error: while rendering" in output, output
    assert told in output and "Traceback" not in output


def test_name_rules_take_whole_names_and_ascii_years():
    from sitegen.values import publisher_name_problem, record_name_problem, year_folder_problem

    assert publisher_name_problem("shanghai-justice") is None
    assert publisher_name_problem("abc\n") and record_name_problem("table\n")
    assert year_folder_problem(2024) is None and year_folder_problem("２０２４")


def test_record_text_is_escaped_not_evaluated(project_factory, capsys):
    hostile = RECORD.replace("text: 完成任务。", "text: \"<script>alert(1)</script>{{ 7*7 }}\"")
    project = project_factory({"2023/a.yaml": hostile})
    assert run_cli(capsys, project, "build", "--no-pdf")[0] == 0
    page = (project.build_dir / "zh/test-bureau/2023/a/index.html").read_text(encoding="utf-8")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }}" in page


@pytest.mark.parametrize(("arguments", "refusal"), [
    (["new-bureau", "24", "first-table"], "the year '24' is not a four-digit year"),
    (["search", "2024", "first-table"], "a publisher folder cannot be named 'search'"),
    (["New_Bureau", "2024", "first-table"], "the publisher folder 'New_Bureau' is not a safe"),
    (["new-bureau", "2024", "Bad_Id"], "the record file name 'Bad_Id' is not a safe name"),
])
def test_new_refuses_a_record_the_build_would_skip(project_factory, capsys, arguments,
                                                   refusal):
    """`sitegen new` follows the rules by which the build finds records: it used to
    write content/x/24/y.yaml, which `check` and `build` then ignore."""
    project = project_factory({"2023/a.yaml": RECORD})
    before = sorted(project.content_dir.rglob("*"))
    status, output = run_cli(capsys, project, "new", *arguments)
    assert status == 1 and f"sitegen new: {refusal}" in output, output
    assert sorted(project.content_dir.rglob("*")) == before


def test_new_writes_a_skeleton_that_checks_and_stays_a_draft(project_factory, capsys):
    project = project_factory({"2023/a.yaml": RECORD})
    status, output = run_cli(capsys, project, "new", "new-bureau", "2024", "first-table")
    assert status == 0, output
    assert "wrote content/new-bureau/2024/first-table.yaml" in output
    assert run_cli(capsys, project, "check")[0] == 0
    assert run_cli(capsys, project, "new", "new-bureau", "2024", "first-table")[0] == 1
    assert run_cli(capsys, project, "new", "new-bureau", "2024", "Bad_Id")[0] == 1
    assert run_cli(capsys, project, "build", "--no-pdf")[0] == 0
    assert not (project.build_dir / "zh/new-bureau").exists()


def test_a_skeleton_left_unfilled_cannot_be_published(project_factory, capsys):
    """Its stand-in words are warnings in a draft (what is left to fill in) and errors
    once `draft: true` is gone, at their own lines; so is the new publisher's name."""
    project = project_factory({"2023/a.yaml": RECORD})
    assert run_cli(capsys, project, "new", "new-bureau", "2024", "first-table")[0] == 0
    record = project.content_dir / "new-bureau/2024/first-table.yaml"
    text = record.read_text(encoding="utf-8")
    name_line = next(number for number, line in enumerate(text.splitlines(), 1)
                     if "zh: 【项目名称】" in line)
    status, output = run_cli(capsys, project, "check", "--all")
    assert status == 0
    assert (f"content/new-bureau/2024/first-table.yaml:{name_line}:5: warning: project.name "
            "'【项目名称】 / [Project name]' is still the placeholder `sitegen new` wrote"
            ) in output
    # One warning a stand-in, not a second one asking for its English.
    assert "no English for the project.competent_department '【主管部门】'" not in output
    assert "'【主管部门】' is still the placeholder" in output
    record.write_text(text.replace("draft: true", "draft: false"), encoding="utf-8")
    status, output = run_cli(capsys, project, "check")
    assert status == 1
    assert f"first-table.yaml:{name_line}:5: error: project.name" in output
    assert "【指标名称】 / [Indicator name]' is still the placeholder" in output
    assert ("content/new-bureau/publisher.yaml:3:3: error: the publisher's name is still the "
            "placeholder") in output
    assert output.count("error: the publisher's name") == 1


def test_new_refuses_an_unknown_form_family(project_factory, capsys):
    project = project_factory({"2023/a.yaml": RECORD})
    status, output = run_cli(capsys, project, "new", "b", "2024", "c", "--form", "kunmin")
    assert status == 1
    assert ("there is no form family 'kunmin': did you mean 'kunming-2020'? choose one of "
            "kunming-2020, lianyungang-2024, shanghai-2020, shanghai-2023") in output
    assert not (project.content_dir / "b").exists()


def test_no_change_rebuild_does_nothing_and_a_change_rebuilds(project_factory, capsys):
    project = project_factory({"2023/a.yaml": RECORD})
    assert run_cli(capsys, project, "build", "--no-pdf")[0] == 0
    page = project.build_dir / "zh/test-bureau/2023/a/index.html"
    page.write_text("tampered", encoding="utf-8")  # proves nothing was rewritten
    status, output = run_cli(capsys, project, "build", "--no-pdf")
    assert status == 0 and "build/ is up to date" in output
    assert page.read_text(encoding="utf-8") == "tampered"
    record = project.content_dir / "test-bureau/2023/a.yaml"
    record.write_text(RECORD.replace("测试项目", "改过的项目"), encoding="utf-8")
    status, output = run_cli(capsys, project, "build", "--no-pdf")
    assert status == 0 and "built" in output
    assert "改过的项目" in page.read_text(encoding="utf-8")
    # Every input counts, however deep: a stylesheet, a new record in a folder of its own.
    stylesheet = next(project.theme_dir.rglob("*.css"))
    stylesheet.write_text(stylesheet.read_text(encoding="utf-8") + "\n/* changed */\n",
                          encoding="utf-8")
    assert "/* changed */" in build_twice_then_read(capsys, project, f"theme/{stylesheet.name}")
    (project.content_dir / "test-bureau/2024").mkdir()
    (project.content_dir / "test-bureau/2024/b.yaml").write_text(
        RECORD.replace("year: 2023", "year: 2024").replace("2023-", "2024-"), encoding="utf-8")
    assert "测试项目" in build_twice_then_read(capsys, project, "zh/test-bureau/2024/b/index.html")


def test_a_record_edited_while_it_builds_is_rebuilt_next_time(project_factory, capsys,
                                                              monkeypatch):
    """A first build fingerprints each record by the bytes its worker parsed: an edit saved
    after that, while the build runs, must not count as built, or the next build would
    find the stale page "up to date"."""
    project = project_factory({"2023/a.yaml": RECORD})
    with saved_after_parsing(monkeypatch, project.content_dir / "test-bureau/2023/a.yaml",
                             RECORD.replace("测试项目", "存盘晚了的项目")):
        assert run_cli(capsys, project, "build", "--no-pdf")[0] == 0
    assert "存盘晚了的项目" in build_twice_then_read(capsys, project,
                                                  "zh/test-bureau/2023/a/index.html")


def test_a_record_in_a_linked_publisher_folder_counts_for_the_fingerprint(project_factory,
                                                                          capsys, tmp_path):
    """Content discovery enters a linked folder; so must the fingerprint, or an edit to a
    record in it would leave its old page "up to date". A link back up is no loop."""
    project = project_factory({"2023/a.yaml": RECORD})
    folder = project.content_dir / "test-bureau"
    folder.rename(tmp_path / "elsewhere")
    folder.symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "elsewhere" / "2023" / "up").symlink_to(project.content_dir)
    assert run_cli(capsys, project, "build", "--no-pdf")[0] == 0
    (folder / "2023/a.yaml").write_text(RECORD.replace("测试项目", "改过的项目"), encoding="utf-8")
    assert "改过的项目" in build_twice_then_read(capsys, project,
                                                "zh/test-bureau/2023/a/index.html")


def build_twice_then_read(capsys, project, built: str) -> str:
    """Build (which must rebuild), build again (which must not); the built file's text."""
    status, output = run_cli(capsys, project, "build", "--no-pdf")
    assert status == 0 and "built" in output, output
    status, output = run_cli(capsys, project, "build", "--no-pdf")
    assert status == 0 and "build/ is up to date" in output, output
    return (project.build_dir / built).read_text(encoding="utf-8")


def test_unknown_ui_word_in_a_template_is_a_template_error(project_factory):
    project = project_factory({"2023/a.yaml": RECORD})
    template = project.templates_dir / "home.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "{{ l.ui('publishers') }}", "{{ l.ui('no_such_word') }}"), encoding="utf-8")
    with pytest.raises(BuildError) as failure:
        build(project, RecordingReporter(), pdf=False)
    errors = failure.value.diagnostics.errors
    assert errors and all(str(e.position).startswith("templates/home.html:") for e in errors)
    assert "KeyError: 'no_such_word'" in errors[0].message


def test_every_id_on_a_page_is_unique(seed_site: Path):
    """Links to a row (`#indicator-3`, search results) and `aria-labelledby` need one
    element per id."""
    for page in seed_site.rglob("*.html"):
        ids = re.findall(r'\sid="([^"]+)"', page.read_text(encoding="utf-8"))
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        assert repeated == [], (page.relative_to(seed_site).as_posix(), repeated)


def test_an_unreadable_record_is_named_not_a_crash(project_factory, capsys, monkeypatch):
    project = project_factory({"2023/a.yaml": RECORD})
    unreadable = project.content_dir / "test-bureau/2023/a.yaml"
    original = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        if path == unreadable:
            raise PermissionError(13, "Permission denied")
        return original(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    status, output = run_cli(capsys, project, "build", "--no-pdf", "--no-search")
    assert status == 1 and "internal error" not in output
    assert "content/test-bureau/2023/a.yaml: error: cannot read this file" in output


def test_without_the_print_stylesheet_the_build_says_so(project_factory, capsys):
    project = project_factory({"2023/a.yaml": RECORD})
    (project.theme_dir / "print.css").unlink()
    status, output = run_cli(capsys, project, "build", "--no-search")
    assert status == 1 and "internal error" not in output
    assert "theme/print.css: error: the print stylesheet is missing" in output
    assert run_cli(capsys, project, "build", "--no-pdf", "--no-search")[0] == 0


@pytest.mark.parametrize("arguments", [["build", "--jobs", "0"], ["build", "--jobs", "-1"],
                                       ["bench", "run", "x", "--pdf-sample", "no"]])
def test_counts_must_be_whole_numbers_of_one_or_more(project_factory, capsys, arguments):
    project = project_factory({"2023/a.yaml": RECORD})
    with pytest.raises(SystemExit) as stopped:
        run_cli(capsys, project, *arguments)
    assert stopped.value.code == 2
    assert re.search(r"error: argument --\S+: .*(is not 1 or more|is not a whole number)",
                     capsys.readouterr().err)


def test_bench_corpus_never_empties_a_folder_that_is_not_a_corpus(project_factory, capsys,
                                                                  tmp_path):
    project = project_factory({"2023/a.yaml": RECORD})
    status, output = run_cli(capsys, project, "bench", "corpus", "--records", "2",
                             str(project.root))
    assert status == 1 and "is not empty and holds no earlier benchmark corpus" in output
    assert (project.content_dir / "test-bureau/2023/a.yaml").is_file()
    corpus = tmp_path / "corpus"
    for _ in range(2):  # a corpus may be written again over itself
        assert run_cli(capsys, project, "bench", "corpus", "--records", "2", str(corpus))[0] == 0
    status, output = run_cli(capsys, project, "bench", "run", str(tmp_path / "empty"))
    assert status == 1 and "holds no benchmark corpus" in output


def test_bench_run_times_html_and_pdfs_against_naive_renderings(project_factory, capsys,
                                                                 tmp_path):
    """The benchmark itself, end to end on a tiny corpus: every figure it promises is
    printed (the figures are not judged here: speed is measured, not tested)."""
    project = project_factory({"2023/a.yaml": RECORD})
    corpus = tmp_path / "corpus"
    assert run_cli(capsys, project, "bench", "corpus", "--records", "2", str(corpus))[0] == 0
    stale = corpus / "templates" / "base.html"  # as an older sitegen left it
    # A value the build warns about, quoting it: the bench must still see that it built.
    record = next((corpus / "content").rglob("project-*.yaml"))
    text = record.read_text(encoding="utf-8")
    record.write_text(re.sub(r'value: "[^"]*"|values: \["[^"]*"',
                             lambda found: found[0].split('"')[0] + '"system is up to date"',
                             text, count=1), encoding="utf-8")
    stale.write_text(stale.read_text(encoding="utf-8") + "{# old #}", encoding="utf-8")
    status, output = run_cli(capsys, project, "bench", "run", str(corpus), "--rounds", "2",
                             "--pdf-sample", "1")
    assert status == 0, output
    # the corpus is timed with sitegen's templates as they are now, and says so
    assert "replaced by sitegen's own" in output
    assert stale.read_bytes() == (REPO / "templates" / "base.html").read_bytes()
    for promised in (r"full build: +median [\d.]+ s \([\d.]+, [\d.]+\); \d+ pages/s; CPU user "
                     r"[\d.]+ s \+ system [\d.]+ s",
                     r"no-change rebuild: +median [\d.]+ s \([\d.]+, [\d.]+\); CPU user",
                     r"template edited: +median [\d.]+ s \([\d.]+, [\d.]+\); every page again, "
                     r"over the previous site; CPU user [\d.]+ s",
                     r"peak memory \(largest process\): \d+ MB",
                     r"machine speed: a fixed Python loop took [\d.]+ s of CPU before the "
                     r"builds, [\d.]+ s after",
                     r"table PDF, one core: median [\d.]+ s",
                     r"naive, same markup: +median [\d.]+ s → ours [\d.]+x faster",
                     r"naive, web page: +median [\d.]+ s → ours [\d.]+x faster",
                     r"naive, command: +median [\d.]+ s → ours [\d.]+x faster",
                     r"PDFs/s on 1 core, [\d.]+ on 2"):
        assert re.search(promised, output), (promised, output)
    assert not (corpus / ".sitegen-cache" / "naive.pdf").exists()
    assert not (corpus / ".bench-replaced").exists()  # the set-aside builds are deleted


def test_bench_search_refuses_a_site_built_without_search(project_factory, capsys):
    """`bench run` leaves a --no-search build, whose pages carry no pair words: comparing
    its index with plain Pagefind would compare Pagefind with itself."""
    project = project_factory({"2023/a.yaml": RECORD})
    assert run_cli(capsys, project, "build", "--no-pdf", "--no-search")[0] == 0
    status, output = run_cli(capsys, project, "bench", "search", str(project.root))
    assert status == 1
    assert "holds no site built for search: run `sitegen build --no-pdf` there first" in output


def test_a_benchmark_build_that_fails_names_the_record(project_factory, capsys, monkeypatch):
    """The PDF throughput builds corpus records; a record that fails there (a glyph the
    font lacks) is reported like any build error, not as a bug in sitegen."""
    from sitegen import bench
    from sitegen.errors import Diagnostics, Position

    def failing_build(*args, **kwargs):
        diagnostics = Diagnostics()
        diagnostics.error(Position("content/p/2020/project-00001.yaml", 3, 1), "no glyph")
        raise BuildError(diagnostics)

    project = project_factory({"2023/a.yaml": RECORD})
    monkeypatch.setattr(bench, "run", failing_build)
    status, output = run_cli(capsys, project, "bench", "run", str(project.root))
    assert status == 1 and "internal error" not in output
    assert "content/p/2020/project-00001.yaml:3:1: error: no glyph" in output
    assert "error: a benchmark build failed" in output


def test_ctrl_c_while_the_pipeline_is_still_loading_says_so(project_factory, capsys,
                                                            monkeypatch):
    """Ctrl-C in a run's first moments, while `sitegen build` imports the pipeline:
    the same one line as later on, status 130, no traceback."""
    import sys
    import types

    class StillLoading(types.ModuleType):
        def __getattr__(self, name: str):
            if name.startswith("__"):  # asked by inspect and pytest: not the pipeline's
                raise AttributeError(name)
            raise KeyboardInterrupt  # as Ctrl-C lands midway through the import

    monkeypatch.setitem(sys.modules, "sitegen.build", StillLoading("sitegen.build"))
    project = project_factory({"2023/a.yaml": RECORD})
    try:
        status, output = run_cli(capsys, project, "build", "--no-pdf", "--no-search")
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C escaped sitegen's main(): the user would see a traceback")
    assert status == 130 and "interrupted: build/ was left as it was" in output
    assert not project.build_dir.exists()


