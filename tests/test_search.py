"""Search (issue #6), in a real browser: Debian's chromium, headless, on the seed site.

What a reader does — type, see results, filter, follow one — and the promise for Chinese:
a query of two or more characters finds every page that holds it (recall 100 % against a
plain substring scan) and no page that does not.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import RECORD, run_cli

from sitegen.browser import guarded_page
from sitegen.search import BOUNDARY, figure_words, glued_words, pair_words, reader_text
from sitegen.search_check import (
    CHINESE_QUERIES,
    FIGURE_QUERIES,
    SearchPage,
    containing,
    figures_in,
    overall,
    page_texts,
    score,
    showing_figure,
)
from sitegen.search_index import PARTS

SH23 = "zh/shanghai-justice/2023"


def search_built_site(browser, build: Path, language: str, texts: dict[str, str],
                      queries: list[str]) -> list:
    """Serve a built site, run each query on its search page, score against `texts`."""
    from sitegen.browser import LocalSite

    site = LocalSite(build)
    try:
        with guarded_page(browser) as (page, guard):
            search = SearchPage(page, site.base, language)
            scores = score(texts, queries, lambda q: set(search.run(q)))
            assert guard.tried == []
    finally:
        site.close()
    return scores


@pytest.fixture(scope="module")
def zh_search(browser, served_seed):
    with guarded_page(browser) as (page, guard):
        yield SearchPage(page, served_seed.base, "zh")
        assert guard.tried == []


@pytest.fixture(scope="module")
def en_search(browser, served_seed):
    with guarded_page(browser) as (page, guard):
        yield SearchPage(page, served_seed.base, "en")
        assert guard.tried == []


def test_chinese_recall_is_complete_and_precision_exact(zh_search, seed_site: Path):
    texts = page_texts(seed_site, "zh")
    scores = score(texts, CHINESE_QUERIES, lambda q: set(zh_search.run(q)))
    assert len([s for s in scores if 2 <= len(s.query) <= 6]) >= 30
    missed = [(s.query, s.expected, s.correct) for s in scores if s.recall < 1]
    wrong = [(s.query, s.found, s.correct) for s in scores if s.precision < 1]
    assert missed == [] and wrong == []
    assert overall(scores) == (1.0, 1.0)
    assert any(s.expected >= 15 for s in scores)  # the queries reach most pages too


def test_chinese_queries_on_english_pages_find_the_chinese_they_show(browser, project_factory,
                                                                   capsys):
    # The seed records are fully translated; a record that is not yet shows its Chinese on
    # the English page (marked lang="zh-CN"), and a reader searching in English finds it.
    project = project_factory({"2023/a.yaml": RECORD})
    assert run_cli(capsys, project, "build", "--no-pdf")[0] == 0
    texts = page_texts(project.build_dir, "en")
    queries = ["完成任务", "培训次数", "火箭发射"]
    assert [len(containing(texts, q)) for q in queries] == [1, 1, 0]
    scores = search_built_site(browser, project.build_dir, "en", texts, queries)
    assert [s.correct for s in scores] == [1, 1, 0]
    assert overall(scores) == (1.0, 1.0), scores


@pytest.mark.parametrize(("query", "expected"), [
    ("社区矫正", {"zh/shanghai-justice/2020/community-corrections-case-funds",
              f"{SH23}/community-corrections", "zh/lianyungang-justice/2024/community-corrections",
              "zh/kunming-chenggong-justice/2020/community-corrections-funds",
              "zh/shenzhen-justice/2020/community-corrections-resettlement"}),
    ("戒毒", {f"{SH23}/drug-rehabilitation"}),
    ("法律职业资格考试", {f"{SH23}/national-legal-exam"}),
    ("安置帮教", {"zh/shanghai-justice/2020/resettlement-assistance-case-funds"}),
    ("弱电安防", {f"{SH23}/low-voltage-security-systems"}),
    ("律师", {f"{SH23}/lawyer-management-legal-counsel"}),
    ("普法宣传", {f"{SH23}/legal-awareness-campaigns"}),
    ("设备购置", {f"{SH23}/equipment-purchase"}),
    ("办公用房", {f"{SH23}/office-renovation"}),
    ("法治建设", {f"{SH23}/rule-of-law-development"}),
    ("基层司法", {f"{SH23}/grassroots-judicial-affairs"}),
])
def test_chinese_queries_find_the_expected_tables(zh_search, query, expected):
    found = {address.removesuffix("/index.html") for address in zh_search.run(query)}
    assert expected <= found, (query, found)


@pytest.mark.parametrize(("query", "expected"), [
    ("community corrections", "en/shanghai-justice/2023/community-corrections"),
    ("drug rehabilitation", "en/shanghai-justice/2023/drug-rehabilitation"),
    ("renovation", "en/shanghai-justice/2023/office-renovation"),
    ("qualification examination", "en/shanghai-justice/2023/national-legal-exam"),
    ("resettlement", "en/shanghai-justice/2020/resettlement-assistance-case-funds"),
    ("satisfaction", "en/shanghai-justice/2023/equipment-purchase"),
])
def test_english_queries_find_the_expected_tables(en_search, query, expected):
    found = {address.removesuffix("/index.html") for address in en_search.run(query)}
    assert expected in found, (query, found)


def test_a_result_shows_title_publisher_year_amount_and_marked_snippet(zh_search):
    zh_search.run("戒毒")
    item = zh_search.page.locator("#search-results li").first
    assert item.locator("h2 a").inner_text() == "戒毒工作业务费"
    assert item.locator(".meta").inner_text() == "上海市司法局 · 2023 · 金额: 17,817,744.00 元"
    marks = item.locator(".search-result-snippet mark").all_inner_texts()
    assert marks and set(marks) == {"戒毒"}
    assert zh_search.status() == "找到 1 个结果"


def test_a_query_only_in_an_indicator_name_links_to_its_row(zh_search, seed_site):
    page = seed_site / f"{SH23}/office-renovation/index.html"
    html = page.read_text(encoding="utf-8")
    # The indicator's name is the only place on the whole site that holds the query.
    assert html.count("电梯更新完成率") == 2  # the row, and the row list for search
    assert containing(page_texts(seed_site, "zh"), "电梯更新完成率") == {
        f"{SH23}/office-renovation/index.html"}
    zh_search.run("电梯更新完成率")
    link = zh_search.page.locator(".search-result-indicator a")
    assert link.inner_text() == "指标：电梯更新完成率"
    assert link.get_attribute("href").endswith("office-renovation/index.html#indicator-3")
    link.click()
    zh_search.page.wait_for_url(re.compile(r"#indicator-3$"))
    row = zh_search.page.locator("tr#indicator-3")
    assert "电梯更新完成率" in row.inner_text() and row.is_visible()
    zh_search.page.go_back()
    zh_search.page.wait_for_selector("#search-options:not([hidden])")


def test_type_see_results_filter_and_follow_a_result(browser, served_seed, seed_site):
    texts = page_texts(seed_site, "zh")
    with guarded_page(browser, width=320) as (page, guard):
        search = SearchPage(page, served_seed.base, "zh")
        everywhere = set(search.run("社区矫正"))
        assert everywhere == containing(texts, "社区矫正")
        page.click("#search-filters summary")
        page.wait_for_selector("#search-filter-groups fieldset")
        shanghai = "label:has-text('上海市司法局') >> xpath=../input"
        search.run("社区矫正", act=lambda: page.check(shanghai))
        search.run("社区矫正", act=lambda: page.check("input[name=year][value='2020']"))
        filtered = set(search.results())
        assert filtered == {a for a in everywhere if a.startswith("zh/shanghai-justice/2020/")}
        assert filtered and "year=2020" in page.url and "q=" in page.url
        title = page.inner_text("#search-results li >> nth=0 >> h2 a")
        page.click("#search-results li >> nth=0 >> h2 a")
        page.wait_for_url(re.compile(r"/zh/shanghai-justice/2020/[^/]+/index.html$"))
        assert page.inner_text("h1") == title and "社区矫正" in page.inner_text("main")
        assert guard.tried == []


def test_sort_by_amount_orders_every_result(zh_search, seed_site):
    everything = zh_search.run("经费")
    zh_search.run("经费", act=lambda: zh_search.page.select_option("#search-sort", "amount:desc"))
    by_amount = zh_search.results()
    assert sorted(by_amount) == sorted(everything)  # sorting drops no page (PITFALLS)
    amounts = [_amount(seed_site / address) for address in by_amount]
    assert amounts == sorted(amounts, reverse=True)
    zh_search.page.select_option("#search-sort", "")


def _amount(page: Path) -> float:
    match = re.search(r'data-pagefind-sort="amount\[content\]" content="([\d.]+)"',
                      page.read_text(encoding="utf-8"))
    assert match, page
    return float(match[1])


def test_search_box_on_every_page_is_a_plain_form_to_the_search_page(seed_site: Path):
    for page in seed_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        if 'class="site-header"' not in html or "/search/" in page.as_posix():
            continue
        form = re.search(r'<form class="site-search" role="search" action="([^"]+)" '
                         r'method="get">', html)
        assert form, page
        assert (page.parent / form[1]).resolve().name == "index.html"
        assert (page.parent / form[1]).resolve().parent.name == "search"


def test_search_page_without_scripts_says_what_to_do(browser, served_seed):
    """With scripts off, the search box on any page still sends its query (a GET form) to
    the search page. A static page cannot read its address without a script, so the box
    there stays empty: the page says first that the query was not searched, and why, and
    leads to the listings, which reach every table."""
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(served_seed.url(f"{SH23}/community-corrections/index.html"))
        page.fill("form.site-search input[name=q]", "社区矫正")
        page.press("form.site-search input[name=q]", "Enter")
        page.wait_for_url(re.compile(r"/zh/search/index\.html\?q=%E7%A4%BE"))
        main = page.inner_text("main")
        note = "没有搜索：搜索需要浏览器启用 JavaScript。"
        assert note in main and main.index(note) < main.index("搜索项目、指标、金额")  # the box
        page.get_by_role("link", name="按发布单位和年度浏览").click()
        assert page.url.endswith("/zh/index.html")
        shanghai = page.locator("main .publisher-list li", has_text="上海市司法局")
        shanghai.get_by_role("link", name="2023").click()
        page.wait_for_url(re.compile(r"/zh/shanghai-justice/2023/index\.html$"))
        assert page.get_by_role("link", name="社区矫正经费").count() == 1
    finally:
        context.close()


def test_search_without_an_index_says_so(browser, project_factory, capsys):
    project = project_factory({"2023/a.yaml": RECORD})
    status, output = run_cli(capsys, project, "build", "--no-pdf", "--no-search")
    assert status == 0 and "indexed" not in output
    assert not (project.build_dir / "pagefind").exists()
    from sitegen.browser import LocalSite

    site = LocalSite(project.build_dir)
    try:
        with guarded_page(browser) as (page, guard):
            page.goto(site.url("en/search/index.html?q=training"))
            page.wait_for_selector("#search-unavailable:not([hidden])")
            # the query it was sent stays in the box, not searched
            assert page.input_value("#search-query") == "training"
            assert page.inner_text("#search-status") == ""
            assert guard.tried == []
    finally:
        site.close()


def test_drafts_never_enter_the_index(project_factory, capsys):
    draft = RECORD.replace("year: 2023\n", "year: 2023\ndraft: true\n").replace(
        "测试项目", "草稿项目")
    project = project_factory({"2023/a.yaml": RECORD, "2023/draft.yaml": draft})
    status, output = run_cli(capsys, project, "build", "--no-pdf")
    assert status == 0 and "2 page(s) indexed for search" in output, output
    bundle = project.build_dir / "pagefind"
    assert (bundle / "pagefind.js").is_file() and not (bundle / "pagefind-ui.js").exists()
    assert not (bundle / "pagefind-worker.js").exists()  # search.js runs without a worker
    fragments = "".join(gzip.decompress(p.read_bytes()).decode("utf-8", "replace")
                        for p in (bundle / "fragment").iterdir())
    assert "测试项目" in fragments and "草稿项目" not in fragments


def test_index_failure_is_a_diagnostic_and_keeps_the_old_build(project_factory, capsys,
                                                               monkeypatch):
    from sitegen import search_index

    project = project_factory({"2023/a.yaml": RECORD})
    assert run_cli(capsys, project, "build", "--no-pdf")[0] == 0
    before = (project.build_dir / "pagefind" / "pagefind-entry.json").read_bytes()
    (project.content_dir / "test-bureau/2023/b.yaml").write_text(
        RECORD.replace("测试项目", "另一个项目"), encoding="utf-8")
    monkeypatch.setattr(search_index, "pagefind_executable", lambda: Path("/bin/false"))
    status, output = run_cli(capsys, project, "build", "--no-pdf")
    assert status == 1
    assert "build/pagefind: error: search: Pagefind failed on the zh-cn pages (1)" in output
    assert "Traceback" not in output and "build failed: build/ was left as it was" in output
    assert (project.build_dir / "pagefind" / "pagefind-entry.json").read_bytes() == before


def test_where_pagefind_comes_from_and_what_a_missing_one_says(project_factory, capsys,
                                                              monkeypatch, tmp_path):
    """`make` installs Pagefind into node_modules/; SITEGEN_PAGEFIND names another binary;
    with none anywhere the build says how to get it (or to build without search)."""
    from sitegen import search_index

    monkeypatch.delenv("SITEGEN_PAGEFIND", raising=False)  # a developer's own choice
    installed = search_index.pagefind_executable()
    assert installed is not None and installed.is_relative_to(search_index.NODE_MODULES)
    assert search_index.engine_version().startswith("pagefind ")
    project = project_factory({"2023/a.yaml": RECORD})
    monkeypatch.setenv("SITEGEN_PAGEFIND", str(tmp_path / "no-such-pagefind"))
    status, output = run_cli(capsys, project, "build", "--no-pdf")
    assert status == 1 and "Traceback" not in output
    assert "build/pagefind: error: search: cannot run Pagefind:" in output
    monkeypatch.delenv("SITEGEN_PAGEFIND")
    monkeypatch.setattr(search_index, "NODE_MODULES", tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    status, output = run_cli(capsys, project, "build", "--no-pdf")
    assert status == 1 and "Traceback" not in output
    assert ("build/pagefind: error: search: Pagefind is not installed: `make setup` installs "
            "it" in output and "or build with --no-search" in output)
    assert run_cli(capsys, project, "build", "--no-pdf", "--no-search")[0] == 0


def test_pair_words_follow_what_a_reader_sees():
    html = ("<td>产出</td><td>指标</td><th>满意<span>度</span></th><p>产<br>出</p>"
            "<nav>导航</nav><div>A&amp;B 社区</div>")
    runs = [run for run in reader_text(html).split(BOUNDARY) if run.strip()]
    assert runs == ["产出", "指标", "满意度", "产", "出", "A&B 社区"]
    words = pair_words(html)
    assert "qz020135020986" in words  # 产出
    assert len(words) == len(set(words)) == 5  # 产出 指标 满意 意度 社区; nothing across cells


def test_each_language_is_indexed_apart_and_filed_under_its_own_name(seed_site: Path):
    """One Pagefind run per language (Chinese under a private tag, so it is not cut into
    words), merged into one bundle under the pages' own languages, parts cleared away."""
    entry = json.loads((seed_site / "pagefind" / "pagefind-entry.json").read_text())
    zh_pages = len(list((seed_site / "zh").glob("*/*/*/index.html")))
    assert {name: facts["page_count"] for name, facts in entry["languages"].items()} == {
        "en": zh_pages, "zh-cn": zh_pages}
    assert all((seed_site / "pagefind" / f"pagefind.{facts['hash']}.pf_meta").is_file()
               for facts in entry["languages"].values())
    assert not (seed_site / PARTS).exists()


def test_language_parts_merge_under_the_pages_languages_and_never_overwrite(tmp_path):
    """merge_parts files each part's index under the pages' own language (not the tag
    Pagefind was told), keeps a shared file once, and refuses parts that would overwrite
    each other rather than keep the last one silently."""
    from sitegen.search_index import LanguagePart, merge_parts

    def part(folder: str, told: str, shared: bytes) -> None:
        root = tmp_path / PARTS / folder
        (root / "fragment").mkdir(parents=True)
        (root / "fragment" / f"{told}_1.pf_fragment").write_bytes(b"x")
        (root / "pagefind.js").write_bytes(shared)
        (root / "pagefind-entry.json").write_text(json.dumps(
            {"version": "1.6.0", "languages": {told: {"hash": f"{told}_1", "page_count": 1}}}))

    parts = [LanguagePart("en", "en"), LanguagePart("zh", "zh-cn")]
    part("en", "en", b"same")
    part("zh", "x-sitegen-zh-cn", b"same")
    merge_parts(tmp_path, parts)
    entry = json.loads((tmp_path / "pagefind" / "pagefind-entry.json").read_text())
    assert entry["version"] == "1.6.0"
    assert entry["languages"] == {"en": {"hash": "en_1", "page_count": 1},
                                  "zh-cn": {"hash": "x-sitegen-zh-cn_1", "page_count": 1}}
    assert sorted(p.name for p in (tmp_path / "pagefind" / "fragment").iterdir()) == [
        "en_1.pf_fragment", "x-sitegen-zh-cn_1.pf_fragment"]
    assert not (tmp_path / PARTS).exists()

    shutil.rmtree(tmp_path / "pagefind")
    part("en", "en", b"one")
    part("zh", "x-sitegen-zh-cn", b"two")
    with pytest.raises(ValueError, match=r"differ in pagefind\.js"):
        merge_parts(tmp_path, parts)


def test_chinese_pages_are_indexed_under_a_private_tag_english_as_they_are():
    """Pagefind cuts zh/ja pages into words; sitegen asks it not to (a tag it neither
    segments nor stems), and leaves other languages to their own stemmer."""
    from sitegen.search_index import LanguagePart, pagefind_command

    chinese = pagefind_command(Path("pf"), Path("site"), LanguagePart("zh", "zh-cn"))
    english = pagefind_command(Path("pf"), Path("site"), LanguagePart("en", "en"))
    assert chinese[-2:] == ["--force-language", "x-sitegen-zh-cn"]
    assert "--force-language" not in english and "zh/*/*/*/index.html" in chinese


def test_runs_already_started_are_stopped_when_the_next_cannot_start(tmp_path: Path):
    import time

    from sitegen.search_index import PagefindNotStarted, run_counting

    started = time.monotonic()
    with pytest.raises(PagefindNotStarted):
        run_counting([["sleep", "30"], [str(tmp_path / "no-such-pagefind")]], tmp_path, [])
    assert time.monotonic() - started < 10  # the sleeping run was stopped, not awaited


def test_glued_words_stand_apart_as_pagefind_makes_a_query():
    """Pagefind does not cut Chinese pages into words (search_index.py), so Latin words
    written against Chinese characters are given as words of their own, also as Pagefind
    makes a typed word (what is not a letter or figure dropped); figures are not among
    them (figure words have every figure)."""
    assert glued_words("持续做好12348公共法律服务 UPS电池 完成90%的 12.5万元 2023 abc") == ["UPS"]
    assert glued_words("COVID-19疫情 2023-2024年度 A&B社区 增长1.5%、2.3%的") == [
        "A", "AB", "B", "COVID", "COVID19"]


def test_figure_words_are_the_figures_a_reader_sees():
    """Each figure once, as typed without thousands commas or decimal zeros at the end;
    no piece of a figure (80 of 80,000, 3 of 1.2.3, 3 of A3) and no figure made of two
    (8000.00 is not 800000)."""
    text = ("=8000.00(人次) 80,000.00 1.50 v1.2.3 A3 3A 2023-2024年度 010 1,2,5 40000、80000 "
            "12348热线 ≥90% 0.5 22,398,800.00 ８８")
    assert figure_words(text) == [
        "qf010", "qf0d5", "qf1", "qf12348", "qf1d5", "qf2", "qf2023", "qf2024",
        "qf22398800", "qf3", "qf40000", "qf5", "qf8000", "qf80000", "qf90"]
    assert {word.removeprefix("qf").replace("d", ".") for word in figure_words(text)} == (
        figures_in(text))  # the scan the figure test takes for the truth agrees


@pytest.mark.parametrize(("query", "expected"), [
    ("UPS", f"{SH23}/equipment-purchase"),  # UPS电池及网络交换设备
    ("12348", f"{SH23}/grassroots-judicial-affairs"),  # 12348公共法律服务热线
])
def test_a_figure_or_latin_word_inside_chinese_text_is_found(zh_search, query, expected):
    found = {address.removesuffix("/index.html") for address in zh_search.run(query)}
    assert expected in found, (query, found)
    # the snippet is the page's own text, never the hidden words the match came from
    snippets = zh_search.page.locator(".search-result-snippet").all_inner_texts()
    assert snippets and all(query in text for text in snippets), snippets
    assert not any(re.search(r"sitegensearchwords|qz\d{6}", text) for text in snippets)


@pytest.mark.parametrize(("language", "queries"), [
    ("zh", ["80000", "8000", "2023", "UPS", "12348", "矫", "社区矫正"]),
    ("en", ["80000", "8000", "projects", "rate", "law", "standards"]),
])
def test_a_snippet_is_the_pages_own_text_never_its_search_words(browser, served_seed,
                                                                seed_site, language, queries):
    """Every result's snippet is a stretch of what the page shows (spaces aside: the index
    keeps the text of table cells apart by spaces), the query marked in it: never the hidden
    words the page carries for the index, which a match among them used to show
    (80000 on 8000.00 showed "00 10 1000 2023 250000 …")."""
    texts = {address: re.sub(r"\s+", "", text)
             for address, text in page_texts(seed_site, language).items()}
    with guarded_page(browser) as (page, guard):
        search = SearchPage(page, served_seed.base, language)
        for query in queries:
            found = search.run(query)
            snippets = page.locator(".search-result-snippet").all_inner_texts()
            assert found and len(snippets) == len(found), query
            for address, snippet in zip(found, snippets, strict=True):
                for word in snippet.replace("…", " ").split():
                    assert word.rstrip(".") in texts[address], (query, address, word, snippet)
            marked = page.locator(".search-result-snippet mark").all_inner_texts()
            assert len(marked) >= len(found), (query, marked)  # each shows where it matched
        assert guard.tried == []


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_figure_finds_the_pages_that_show_it_and_no_other(browser, served_seed, seed_site,
                                                            language):
    """A figure finds every page that shows it, however printed (80,000.00 for 80000), and
    no page that only shows a longer figure beginning with it (800000), a figure whose
    digits are the same without its decimal point (8000.00 for 800000), or the beginning
    of a figure (80 of 80,000)."""
    texts = page_texts(seed_site, language)
    lianyungang = f"{language}/lianyungang-justice/2024/community-corrections/index.html"
    with guarded_page(browser) as (page, guard):
        search = SearchPage(page, served_seed.base, language)
        scores = score(texts, FIGURE_QUERIES, lambda q: set(search.run(q)), showing_figure)
        assert search.run("80000") == [lianyungang]
        marks = set(page.locator(".search-result-snippet mark").all_inner_texts())
        assert marks and marks <= {"80000", "80,000", "80,000.00"}, marks
        assert search.status() in ("找到 1 个结果", "1 result")
        assert guard.tried == []
    missed = [(s.query, s.expected, s.correct) for s in scores if s.recall < 1]
    wrong = [(s.query, s.found, s.correct) for s in scores if s.precision < 1]
    assert missed == [] and wrong == []
    assert len([s for s in scores if s.expected]) >= 12  # most queries are on some page
    assert [s.expected for s in scores if s.query in ("424242", "800000")] == [0, 0]


def test_an_english_word_finds_itself_and_its_inflections_not_longer_words(en_search,
                                                                           seed_site):
    """Pagefind matches each query word as the beginning of a word, and a word no page has
    as the longest word it begins with: stand found standard, part found participants,
    projector found project, and zebra project found every project. A word finds the pages
    with it or its inflections (projects finds project), nothing else."""
    texts = page_texts(seed_site, "en")

    def holding(*forms: str) -> set[str]:
        pattern = re.compile(r"\b(?:" + "|".join(forms) + r")\b", re.IGNORECASE)
        return {address for address, text in texts.items() if pattern.search(text)}

    assert set(en_search.run("projects")) == holding("project", "projects") != set()
    for query, forms in [("stand", ("stand", "stands", "standing")),
                         ("part", ("part", "parts")), ("sent", ("sent",)),
                         ("count", ("count", "counts", "counted", "counting")),
                         ("join", ("join", "joined", "joining"))]:
        longer = {a for a, text in texts.items() if re.search(rf"\b{query}[a-z]", text, re.I)}
        assert longer - holding(*forms), query  # pages a beginning would wrongly find
        assert set(en_search.run(query)) == holding(*forms), query
    for nowhere in ("projector", "zebra project", "qz020135020986", "sitegensearchwords"):
        assert en_search.run(nowhere) == [], nowhere
        assert en_search.status() == f"No page contains “{nowhere}”."
    en_search.run("rate")  # marked as the word it is, never inside operates or integrated
    marks = {m.lower() for m in en_search.page.locator(".search-result-snippet mark")
             .all_inner_texts()}
    assert marks and marks <= {"rate", "rates", "rated"}, marks


def test_the_browser_cuts_page_text_where_the_search_words_start():
    """search.js cuts a page's text at the mark search.py writes first, and makes pair
    and figure words as search.py does: the same words in both files."""
    from sitegen.search import SEARCH_WORDS_MARK

    script = (Path(__file__).resolve().parent.parent / "theme" / "search.js").read_text(
        encoding="utf-8")
    assert f'const WORDS_MARK = "{SEARCH_WORDS_MARK}";' in script
    from sitegen.search_index import FIGURE_WORD_PREFIX, PAIR_WORD_PREFIX
    assert f'const PAIR_PREFIX = "{PAIR_WORD_PREFIX}";' in script  # and the pair words
    assert f'const FIGURE_PREFIX = "{FIGURE_WORD_PREFIX}";' in script  # and figures,
    from sitegen.search import FIGURE  # read from a query as from a page
    assert f"const FIGURE = /{FIGURE.pattern}/g;" in script


def test_pair_words_are_written_only_when_the_build_indexes(seed_site, project_factory,
                                                           capsys):
    """The hidden pair words and the meta tags are what Pagefind reads; a build without
    an index (`--no-search`, the preview) spends no time on them and ships none."""
    indexed = list((seed_site / SH23).glob("*/index.html"))
    assert indexed and all(
        "<div hidden data-search-words>sitegensearchwords qz" in text
        and 'data-pagefind-filter="year[content]"' in text
        for text in (page.read_text(encoding="utf-8") for page in indexed))
    project = project_factory({"2023/a.yaml": RECORD})
    assert run_cli(capsys, project, "build", "--no-pdf", "--no-search")[0] == 0
    page = next(project.build_dir.glob("zh/test-bureau/2023/*/index.html"))
    text = page.read_text(encoding="utf-8")
    assert "<table" in text
    assert "data-search-words" not in text and "data-pagefind-" not in text.replace(
        "data-pagefind-body", "")


def test_a_publisher_folder_cannot_take_the_search_page_address(project_factory, capsys):
    project = project_factory({"2023/a.yaml": RECORD})
    (project.content_dir / "test-bureau").rename(project.content_dir / "search")
    status, output = run_cli(capsys, project, "check")
    assert status == 1
    assert "content/search: error: a publisher folder cannot be named 'search'" in output


def test_common_words_send_pagefind_the_rarest_and_results_stay_exact(
        browser, project_factory, capsys, monkeypatch):
    """On a big site most pair words are on most pages, and Pagefind's time grows with
    the pages a word is on; the build lists the common ones and the search page sends
    Pagefind only the rarest words of a query. The answer must stay exact."""
    from sitegen import search_index
    from sitegen.search import pair_word

    monkeypatch.setattr(search_index, "COMMON_PAGES", 3)
    monkeypatch.setattr(search_index, "COMMON_SHARE", 0.5)
    names = ["测试项目甲", "测试项目乙", "测试项目丙", "测试项目丁"]
    project = project_factory({f"2023/{n}.yaml": RECORD.replace("测试项目", name)
                               for n, name in enumerate(names)})
    assert run_cli(capsys, project, "build", "--no-pdf")[0] == 0
    common = json.loads((project.build_dir / "pagefind/sitegen-common.zh-cn.json").read_text())
    # On every page: the goal 完成任务 and the indicator 培训次数 (on most pages, so that
    # search lists every page and checks them); 项目甲 on one page only.
    assert common["pages"] == 4
    assert common["words"][pair_word("完", "成")] == 4 == common["words"][pair_word("项", "目")]
    assert pair_word("目", "甲") not in common["words"]
    assert all(word.startswith("qz") for word in common["words"])  # no figures
    texts = page_texts(project.build_dir, "zh")
    queries = ["完成任务", "培训次数", "项目甲", "测试项目丁", "任务培训", "火箭发射"]
    scores = search_built_site(browser, project.build_dir, "zh", texts, queries)
    assert [s.correct for s in scores] == [4, 4, 1, 1, 0, 0]
    assert overall(scores) == (1.0, 1.0), scores
    # A query whose rarest pair word is on most pages reads no index chunk at all: it
    # sends Pagefind no word and checks the listed pages; a rare word reads its chunk.
    from sitegen.browser import LocalSite

    site = LocalSite(project.build_dir)
    try:
        with guarded_page(browser) as (page, _):
            chunks: list[str] = []
            page.on("request", lambda request: chunks.append(request.url)
                    if request.url.endswith(".pf_index") else None)
            search = SearchPage(page, site.base, "zh")
            assert len(search.run("完成任务")) == 4 and chunks == []
            assert len(search.run("项目甲")) == 1 and chunks != []
    finally:
        site.close()


def test_an_index_file_sitegen_cannot_read_is_a_diagnostic(project_factory, capsys,
                                                          monkeypatch):
    from cbor2 import CBORDecodeError

    from sitegen import search_index

    def unreadable(site: Path, counts: object) -> None:
        raise CBORDecodeError("premature end of stream")

    project = project_factory({"2023/a.yaml": RECORD})
    monkeypatch.setattr(search_index, "finish_bundle", unreadable)
    status, output = run_cli(capsys, project, "build", "--no-pdf")
    assert status == 1 and "internal error" not in output
    assert "build/pagefind: error: search: cannot finish the index Pagefind wrote" in output


def test_a_search_that_fails_says_so(browser, project_factory, capsys):
    """An index rebuilt under an open page (its files are named by their bytes) makes the
    next search fail: the page says to reload rather than 'searching…' for ever."""
    import shutil

    from sitegen.browser import LocalSite

    project = project_factory({"2023/a.yaml": RECORD})
    assert run_cli(capsys, project, "build", "--no-pdf")[0] == 0
    site = LocalSite(project.build_dir)
    try:
        with guarded_page(browser) as (page, _guard):
            SearchPage(page, site.base, "zh")
            shutil.rmtree(project.build_dir / "pagefind" / "fragment")
            page.fill("#search-query", "测试项目")
            page.wait_for_function("""() => document.getElementById('search-status')
                .textContent.includes('刷新页面')""")
            assert page.get_attribute("#search-results", "aria-busy") == "false"
    finally:
        site.close()


def test_candidates_checked_without_a_match_are_not_called_results(browser, project_factory,
                                                                   capsys):
    """Pages that hold every pair of 社区矫正 but never the string are candidates the page
    must download to reject; when the ones checked so far hold no match, the status says
    so (not "about N results" over an empty list) and "more" checks the rest."""
    from sitegen.browser import LocalSite

    names = [f"社区服务与地区矫正{n}" for n in range(4)]
    project = project_factory({f"2023/{n}.yaml": RECORD.replace("测试项目", name)
                               for n, name in enumerate(names)})
    assert run_cli(capsys, project, "build", "--no-pdf")[0] == 0
    script = project.build_dir / "theme" / "search.js"  # two at a time, to see the steps
    text = script.read_text(encoding="utf-8")
    script.write_text(text.replace("const PAGE_SIZE = 10;", "const PAGE_SIZE = 2;")
                      .replace("const CHECK_LIMIT = 50;", "const CHECK_LIMIT = 2;"),
                      encoding="utf-8")
    site = LocalSite(project.build_dir)
    try:
        with guarded_page(browser) as (page, guard):
            search = SearchPage(page, site.base, "zh")
            assert search.run("社区矫正", every=False) == []
            assert search.status() == ("已查看 2 个可能的页面，都不包含“社区矫正”；"
                                       "还有 2 个没有查看。")
            assert page.is_visible("#search-more")
            assert search.run("社区矫正", act=lambda: page.click("#search-more")) == []
            assert search.status() == "没有找到包含“社区矫正”的页面。"
            assert guard.tried == []
    finally:
        site.close()


def test_the_browser_cuts_han_characters_where_the_index_does():
    """A pair word exists only if search.py (index) and search.js (query) agree on what a
    Han character is: the ranges in the two files must be the same."""
    from sitegen.search import HAN

    def python_ranges() -> list[tuple[int, int]]:
        body = HAN.strip("[]")
        return [(ord(body[i]), ord(body[i + 2])) for i in range(0, len(body), 3)]

    script = (Path(__file__).resolve().parent.parent / "theme" / "search.js").read_text(
        encoding="utf-8")
    literal = re.search(r"const HAN = /\[([^\]]+)\]\+/gu;", script)
    assert literal, "theme/search.js no longer defines HAN as a character class"
    points = [int(code, 16) for code in
              re.findall(r"\\u\{([0-9a-fA-F]+)\}|\\u([0-9a-fA-F]{4})", literal[1]) for code in
              code if code]
    js_ranges = list(zip(points[::2], points[1::2], strict=True))
    assert js_ranges == python_ranges() == [(0x3400, 0x4DBF), (0x4E00, 0x9FFF),
                                            (0xF900, 0xFAFF), (0x20000, 0x323AF)]


def test_a_shared_search_address_restores_query_and_filters(browser, served_seed, seed_site):
    """A search is its address: opened from a link, `?q=…&year=…` fills the box, applies
    the filter and shows the same results; the language switch carries the query over."""
    texts = page_texts(seed_site, "zh")
    with guarded_page(browser) as (page, guard):
        search = SearchPage(page, served_seed.base, "zh", address="?q=社区矫正&year=2020")
        found = set(search.results_of("社区矫正"))
        assert page.input_value("#search-query") == "社区矫正"
        assert page.is_checked("input[name=year][value='2020']")
        assert found == {a for a in containing(texts, "社区矫正") if "/2020/" in a} != set()
        switch = page.get_attribute("a.language-switch", "href")
        assert switch.endswith("en/search/index.html?q=%E7%A4%BE%E5%8C%BA%E7%9F%AB%E6%AD%A3")
        assert guard.tried == []


def test_a_single_chinese_character_is_searched_with_a_notice(zh_search, seed_site):
    """One Han character makes no pair word: it finds every page where it begins a pair
    (the pair words' shared beginning, matched as a prefix) and no page without it, and
    the reader is told that two or more characters find every page."""
    texts = page_texts(seed_site, "zh")
    found = set(zh_search.run("矫"))
    assert "只输入一个汉字时，结果可能不全" in zh_search.status()
    assert containing(texts, "矫正") <= found <= containing(texts, "矫")
    marks = zh_search.page.locator(".search-result-snippet mark").all_inner_texts()
    assert marks and set(marks) == {"矫"}  # the page's text, the character marked
    assert set(zh_search.run("馆")) == set()  # on no seed page
    # beside a longer run, a lone character is still only where it begins a pair
    zh_search.run("社区 矫", every=False)
    assert "只输入一个汉字时，结果可能不全" in zh_search.status()


def test_a_query_in_a_scored_indicator_links_to_the_report_row(zh_search, seed_site):
    """On an evaluation report, an indicator that only the scoring table names links to
    its row there (`scored-N`), as a target table's indicator links to `indicator-N`."""
    from bs4 import BeautifulSoup

    address = "zh/shenzhen-justice/2020/community-corrections-resettlement/index.html"
    soup = BeautifulSoup((seed_site / address).read_text(encoding="utf-8"), "html.parser")
    anchors = json.loads(soup.select_one('meta[data-pagefind-meta^="indicators"]')["content"])
    targets = {name for row, name in anchors if row.startswith("indicator-")}
    scored = [(row, name) for row, name in anchors
              if row.startswith("scored-") and not any(name in t for t in targets)
              and len(name) >= 4]
    assert scored, "the seed report no longer has an indicator only its scoring table names"
    row, name = scored[0]
    zh_search.run(name)
    result = zh_search.page.locator("#search-results li", has=zh_search.page.locator(
        f'h2 a[href$="{address}"]'))
    link = result.locator(".search-result-indicator a")
    assert link.get_attribute("href").endswith(f"{address}#{row}")
    assert name in soup.select_one(f"tr#{row}").get_text()


def test_pair_words_are_counted_from_bytes_even_on_a_page_cut_short(tmp_path: Path):
    """The common-word counts read every record page back; a page whose word list was cut
    off (a disk that filled up) counts what it holds instead of stopping the build."""
    from sitegen.search_index import SEARCH_WORDS_OPEN, count_search_words, language_parts

    page = tmp_path / "zh/pub/2023/a/index.html"
    page.parent.mkdir(parents=True)
    page.write_text(f'<!DOCTYPE html>\n<html lang="zh-CN">\n{SEARCH_WORDS_OPEN}qz1 qz2</div>\n',
                    encoding="utf-8")
    cut = tmp_path / "zh/pub/2023/b/index.html"
    cut.parent.mkdir(parents=True)
    cut.write_text(f'<html lang="zh-CN">{SEARCH_WORDS_OPEN}qz1 qz3', encoding="utf-8")
    counts = count_search_words(tmp_path, language_parts(tmp_path))
    assert counts.pages == {"zh-cn": 2}
    assert dict(counts.words["zh-cn"]) == {b"qz1": 2, b"qz2": 1, b"qz3": 1}


def test_a_page_that_cannot_be_read_back_is_named(project_factory, capsys, monkeypatch):
    from sitegen import search_index

    def unreadable(site: Path, parts: list) -> search_index.WordCounts:
        raise PermissionError(13, "Permission denied", str(site / "zh/x/2023/a/index.html"))

    project = project_factory({"2023/a.yaml": RECORD})
    monkeypatch.setattr(search_index, "count_search_words", unreadable)
    status, output = run_cli(capsys, project, "build", "--no-pdf")
    assert status == 1 and "Traceback" not in output
    assert ("build/zh/x/2023/a/index.html: error: search: cannot read this page back to "
            "count its search words: Permission denied") in output



def test_a_query_with_no_page_in_this_language_is_offered_the_other(browser, served_seed):
    """社区矫正 typed on the English site: "No page contains …", and a link that runs the
    same query on the Chinese search page, which finds the tables."""
    with guarded_page(browser) as (page, guard):
        english = SearchPage(page, served_seed.base, "en")
        assert english.run("社区矫正") == []
        offer = page.locator("#search-other-language a")
        assert offer.is_visible()
        assert offer.inner_text() == "Search the Chinese pages for “社区矫正”"
        assert english.run("community corrections") and not offer.is_visible()  # found
        english.run("社区矫正")
        offer.click()
        page.wait_for_selector("#search-options:not([hidden])")
        found = SearchPage.results_of(english, "社区矫正")
        assert page.url.startswith(f"{served_seed.base}zh/search/index.html?q="), page.url
        assert f"{SH23}/community-corrections/index.html" in found, found
        assert guard.tried == []
