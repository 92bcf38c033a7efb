"""PDFs: the same content as the page, fonts embedded, safe, deterministic, cached."""

from __future__ import annotations

import hashlib
import http.server
import re
import subprocess
import threading
import zlib
from pathlib import Path
from typing import ClassVar

import pytest
from bs4 import BeautifulSoup
from conftest import RECORD, saved_after_parsing

from sitegen.build import build
from sitegen.errors import BuildError
from sitegen.pdf import ProjectOnlyFetcher, RefusedFetch
from sitegen.report import RecordingReporter


def pdf_text(path: Path) -> str:
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return re.sub(r"\s+", "", text)


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_facts(html_path: Path) -> list[str]:
    """What the page shows of indicators and funding: names, values, amounts."""
    soup = BeautifulSoup(html_path.read_text(encoding="utf-8"), "html.parser")
    for note in soup.select(".note, .untranslated"):
        note.decompose()
    cells = soup.select("table.indicators th.level-3, table.indicators td.value, "
                        "table.funding td.num, table.funding th[scope=row]")
    return [squeezed(cell.get_text()) for cell in cells if cell.get_text(strip=True)]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_table_pdf_says_what_its_page_says(seed_site: Path, language: str):
    pages = sorted((seed_site / language).glob("*/*/*/index.html"))
    assert len(pages) >= 16
    for page in pages:
        pdf = page.parent / f"{page.parent.name}.pdf"
        text = pdf_text(pdf)
        absent = [fact for fact in page_facts(page) if fact not in text]
        assert not absent, (pdf, absent[:10])
        html = page.read_text(encoding="utf-8")
        assert f'href="{pdf.name}"' in html  # the page links its PDF


def test_every_font_is_embedded_and_metadata_is_set(seed_site: Path):
    pdfs = sorted(seed_site.rglob("*.pdf"))
    assert len(pdfs) >= 32 + 8  # tables and volumes, in both languages
    for pdf in pdfs[:: max(1, len(pdfs) // 12)]:
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                               check=True).stdout.splitlines()[2:]
        assert fonts and all(re.split(r"\s+", line)[-5] == "yes" for line in fonts), fonts
    info = subprocess.run(["pdfinfo", str(seed_site / "en/shanghai-justice/2023/"
                                          "office-renovation/office-renovation.pdf")],
                          capture_output=True, text=True, check=True).stdout
    assert "Author:          Shanghai Municipal Bureau of Justice" in info
    assert "Title:           Office premises repair and renovation" in info
    assert "Pages:" in info


def test_pdf_is_archival_with_its_record_attached(seed_site: Path):
    pdf = seed_site / "zh/shanghai-justice/2023/office-renovation/office-renovation.pdf"
    listing = subprocess.run(["pdfdetach", "-list", str(pdf)], capture_output=True, text=True,
                             check=True).stdout
    assert "office-renovation.yaml" in listing
    xmp = xmp_metadata(pdf.read_bytes())
    assert b'pdfaid:part="3"' in xmp and b'pdfaid:conformance="A"' in xmp  # PDF/A-3a


def test_a_withheld_contact_person_is_in_no_public_file(seed_site: Path):
    """Lianyungang withholds its contact person (publisher.yaml): the page says so, and
    neither the JSON beside it nor the PDF (whose attached source record names them)
    gives the name away."""
    folder = seed_site / "zh/lianyungang-justice/2024/community-corrections"
    assert "发布单位未公开" in (folder / "index.html").read_text(encoding="utf-8")
    data = (seed_site / "data/lianyungang-justice/2024/community-corrections.json")
    assert "吕从娟" not in data.read_text(encoding="utf-8")
    assert "contact_person" not in data.read_text(encoding="utf-8")
    for pdf in folder.glob("*.pdf"):
        assert "吕从娟".encode() not in pdf.read_bytes()
        listing = subprocess.run(["pdfdetach", "-list", str(pdf)], capture_output=True,
                                 text=True, check=True).stdout
        assert ".yaml" not in listing, listing


def xmp_metadata(data: bytes) -> bytes:
    """The XMP packet of a PDF (WeasyPrint compresses it)."""
    for start in re.finditer(rb"stream\r?\n", data):
        body = data[start.end():data.find(b"endstream", start.end())]
        try:
            unpacked = zlib.decompress(body)
        except zlib.error:
            unpacked = body
        if b"pdfaid" in unpacked:
            return unpacked
    return b""


def test_volume_has_cover_contents_and_every_table(seed_site: Path):
    volume = seed_site / "zh/shanghai-justice/2023/shanghai-justice-2023.pdf"
    text = pdf_text(volume)
    assert "目录" in text
    for page in (seed_site / "zh/shanghai-justice/2023").glob("*/index.html"):
        name = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").h1.get_text()
        assert squeezed(name) in text
    outline = subprocess.run(["pdfinfo", "-struct", str(volume)], capture_output=True,
                             text=True).returncode
    assert outline == 0


def test_pdfs_are_byte_identical_across_builds(project_factory, tmp_path: Path):
    project = project_factory({"2023/a.yaml": RECORD})
    digests = []
    for attempt in range(2):
        cache = project.root / ".sitegen-cache"
        subprocess.run(["rm", "-rf", str(cache)], check=True)
        out = tmp_path / f"out{attempt}"
        build(project, RecordingReporter(), output=out)
        digests.append({p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                        for p in sorted(out.rglob("*.pdf"))})
    assert len(digests[0]) == 4 and digests[0] == digests[1]


def test_a_changed_record_rerenders_only_its_pdfs_and_volume(project_factory):
    other = RECORD.replace("测试项目", "另一个项目")
    project = project_factory({"2023/a.yaml": RECORD, "2023/b.yaml": other})
    first = build(project, RecordingReporter())
    assert (first.pdfs_rendered, first.volumes_rendered) == (4, 2)
    record = project.content_dir / "test-bureau/2023/b.yaml"
    record.write_text(other.replace("完成任务", "完成全部任务"), encoding="utf-8")
    second = build(project, RecordingReporter())
    assert (second.pdfs_rendered, second.volumes_rendered) == (2, 2)
    assert "完成全部任务" in pdf_text(project.build_dir / "zh/test-bureau/2023/b/b.pdf")


def test_a_record_saved_while_its_pdfs_are_made_is_not_cached_as_the_new_text(
        project_factory, monkeypatch):
    """A PDF's cache key and its attached record are the bytes it was drawn from, not the
    file read again later: an edit saved mid-build used to key the old PDF as the new
    text, so every later build fetched the stale PDF from the cache."""
    project = project_factory({"2023/a.yaml": RECORD})
    with saved_after_parsing(monkeypatch, project.content_dir / "test-bureau/2023/a.yaml",
                             RECORD.replace("完成任务", "存盘晚了的任务")):
        build(project, RecordingReporter())
    pdf = project.build_dir / "zh/test-bureau/2023/a/a.pdf"
    assert "完成任务" in pdf_text(pdf) and b"\xe5\xad\x98\xe7\x9b\x98" not in attached(pdf)
    second = build(project, RecordingReporter())
    assert second.pdfs_rendered == 2  # the new text is not in the cache
    assert "存盘晚了的任务" in pdf_text(pdf)


def attached(pdf: Path) -> bytes:
    """Every stream of a PDF, inflated where it can be: the attached record among them."""
    data = pdf.read_bytes()
    found = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            found.append(zlib.decompress(stream))
        except zlib.error:
            found.append(stream)
    return b"".join(found)


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Recorder.requests = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_fetcher_serves_project_files_only(tmp_path: Path, local_server: str):
    (tmp_path / "theme").mkdir()
    (tmp_path / "theme" / "logo.svg").write_text("<svg/>", encoding="utf-8")
    fetcher = ProjectOnlyFetcher(tmp_path)
    assert fetcher.fetch((tmp_path / "theme/logo.svg").as_uri()).status == 200
    for url in ("file:///etc/hostname", (tmp_path / "theme/../../etc/hostname").as_uri(),
                f"{local_server}/logo.png", "https://example.org/logo.png",
                "data:text/plain,hello"):
        with pytest.raises(RefusedFetch):
            fetcher.fetch(url)
    assert _Recorder.requests == []


@pytest.mark.parametrize("resource", [
    '<img src="file:///etc/hostname" alt="">',
    '<img src="{server}/x.png" alt="">',
    '<link rel="attachment" href="file:///etc/hostname">',
])
def test_a_resource_outside_the_project_fails_the_build(project_factory, local_server: str,
                                                       resource: str):
    project = project_factory({"2023/a.yaml": RECORD})
    template = project.templates_dir / "pdf/table.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "{% block body %}", "{% block body %}" + resource.format(server=local_server)),
        encoding="utf-8")
    with pytest.raises(BuildError) as failure:
        build(project, RecordingReporter())
    messages = [str(d) for d in failure.value.diagnostics.errors]
    assert messages and all(m.startswith("content/test-bureau/2023/a.yaml: error: refused to")
                            for m in messages), messages
    assert _Recorder.requests == []
    assert not project.build_dir.exists()


def test_a_character_the_font_lacks_is_an_error_naming_the_record(project_factory):
    project = project_factory({"2023/a.yaml": RECORD.replace("培训次数", "培训次数𓀀")})
    with pytest.raises(BuildError) as failure:
        build(project, RecordingReporter())
    [first, *_] = failure.value.diagnostics.errors
    assert str(first).startswith("content/test-bureau/2023/a.yaml: error: the PDF font")
    assert "'𓀀' (U+13000)" in first.message


def test_a_pdf_that_renders_too_long_is_stopped_and_named(project_factory, monkeypatch):
    """A pathological table must not hang a build for ever: past the limit the render is
    stopped, the build fails naming the record and the PDF, and build/ is untouched."""
    import time

    from sitegen import pdf

    project = project_factory({"2023/a.yaml": RECORD})
    monkeypatch.setattr(pdf, "SECONDS_PER_PDF", 1)
    monkeypatch.setattr(pdf.PdfRenderer, "_write", lambda *args: time.sleep(5))
    started = time.perf_counter()
    with pytest.raises(BuildError) as failure:
        build(project, RecordingReporter(), search=False)
    assert time.perf_counter() - started < 5 * 2  # stopped, not waited out (two PDFs)
    messages = [str(error) for error in failure.value.diagnostics.errors]
    assert ("content/test-bureau/2023/a.yaml: error: the PDF zh/test-bureau/2023/a/a.pdf "
            "took longer than 1 s to render and was stopped") in messages, messages
    assert not project.build_dir.exists()


def test_the_pdf_cache_is_never_written_through_an_output_link(tmp_path: Path):
    """The preview's output lives on between saves, and its PDFs are hard links into the
    cache: a new version must replace the link, not write into the old version's entry,
    and going back to the old version must find it intact."""
    from sitegen.pdfcache import PdfCache

    cache = PdfCache(tmp_path / "cache", "environment")
    target = tmp_path / "out" / "a.pdf"
    cache.store("old", b"%PDF old", target)
    cache.store("new", b"%PDF new", target)
    assert (tmp_path / "cache" / "old.pdf").read_bytes() == b"%PDF old"
    assert target.read_bytes() == b"%PDF new"
    assert cache.fetch("old", target) and target.read_bytes() == b"%PDF old"
    assert cache.fetch("old", target)  # already in place: still no error


def test_a_renamed_publisher_rerenders_its_volumes_and_tables(project_factory):
    """The volume's cover names the publisher: a new name in publisher.yaml reaches it
    (and every table PDF of that publisher), not a copy from the cache. A one-table
    volume is made from the same files as its table, and is still rendered as a volume."""
    project = project_factory({"2023/a.yaml": RECORD})
    first = build(project, RecordingReporter())
    assert (first.pdfs_rendered, first.volumes_rendered) == (2, 2)
    volume = project.build_dir / "en/test-bureau/2023/test-bureau-2023.pdf"
    assert "TestBureau" in pdf_text(volume)  # pdf_text drops white space
    publisher = project.content_dir / "test-bureau/publisher.yaml"
    publisher.write_text(publisher.read_text(encoding="utf-8").replace(
        "Test Bureau", "Renamed Bureau"), encoding="utf-8")
    again = build(project, RecordingReporter())
    assert (again.pdfs_rendered, again.volumes_rendered) == (2, 2)
    assert "RenamedBureau" in pdf_text(volume) and "TestBureau" not in pdf_text(volume)
    assert "RenamedBureau" in pdf_text(project.build_dir / "en/test-bureau/2023/a/a.pdf")
