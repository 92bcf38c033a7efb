// The search page (templates/search.html). Pagefind does the searching; this file turns a
// Chinese query into the pair words sitegen/search.py adds to every page, keeps only the
// pages whose text holds the query itself, asks Pagefind for every figure exactly, and
// draws results, filters and sorting.
// A classic script, not a module: on a site opened from files a module would not even
// start, and this one has to say that search needs a web server.
(() => {
  "use strict";

  const script = document.currentScript;
  const strings = JSON.parse(script.dataset.strings);
  const bundle = new URL("../pagefind/pagefind.js", script.src);
  const siteRoot = new URL("../", bundle);
  // Han characters, as in sitegen/search.py (HAN): keep the two in step.
  const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{323af}]+/gu;
  // Every pair word starts so (sitegen/search_index.py PAIR_WORD_PREFIX; a test keeps
  // the two the same).
  const PAIR_PREFIX = "qz";
  const PAIR_WORD = new RegExp(`\\b${PAIR_PREFIX}\\d{12}\\b`, "g");
  // Every figure word starts so (sitegen/search_index.py FIGURE_WORD_PREFIX), and a
  // figure is read as sitegen/search.py reads one (FIGURE there): a test keeps them so.
  const FIGURE_PREFIX = "qf";
  const FIGURE = /(?<![0-9A-Za-z.])([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?(?![0-9])/g;
  const FIGURE_WORD = new RegExp(`\\b${FIGURE_PREFIX}\\d+(?:d\\d+)?\\b`, "g");
  const LETTER = /\p{L}/u;
  // The first word of every page's hidden search words (sitegen/search.py
  // SEARCH_WORDS_MARK): a page's text is cut there, so no snippet shows what follows.
  const WORDS_MARK = "sitegensearchwords";
  const FILTERS = ["publisher", "year", "category", "level"];
  const PAGE_SIZE = 10;
  const CHECK_LIMIT = 50;
  const MOST_PAGES = 0.5; // a word on this share of the pages is sent to Pagefind as none
  const TYPING_PAUSE_MS = 80; // one search per pause in typing, not one per keystroke

  const $ = (id) => document.getElementById(id);
  const form = $("search-form");
  const input = $("search-query");
  const sortSelect = $("search-sort");
  const filterBox = $("search-filters");
  const groups = $("search-filter-groups");
  const status = $("search-status");
  const list = $("search-results");
  const more = $("search-more");
  const otherLanguage = $("search-other-language");

  let pagefind = null;
  let filtersDrawn = null;
  let generation = 0; // a newer search makes older ones stop drawing
  let current = null;
  let typingTimer = 0;

  // --- queries --------------------------------------------------------------------------

  const sixDigits = (char) => String(char.codePointAt(0)).padStart(6, "0");
  const pairPrefix = (first) => PAIR_PREFIX + sixDigits(first);
  const pairWord = (first, second) => pairPrefix(first) + sixDigits(second);

  // The index word of a figure (sitegen/search.py figure_word): 80,000.00 → qf80000.
  function figureWord(whole, decimals) {
    const places = (decimals || "").replace(/0+$/, "");
    return FIGURE_PREFIX + whole.replaceAll(",", "") + (places ? "d" + places : "");
  }

  // Chinese runs of two or more characters become pair words. The check of each page
  // wants them all; Pagefind gets the few `pagefindTerm` picks. A lone character makes no
  // pair word: it goes as the beginning its pair words share, which Pagefind matches as a
  // prefix (every page where it starts a pair; the status says the rest may be missed).
  // Words with a letter go to Pagefind as typed. Figures (80,000, 2023-2024) become the
  // figure words sitegen/search.py gives every page, asked for exactly (`exact`): Pagefind
  // would match a figure as the beginning of a longer one (80000: 800000), and its own
  // words for figures drop the decimal point (8000.00: 800000).
  function parseQuery(text) {
    const runs = [];
    const lones = [];
    const rest = text.replace(HAN, (run) => {
      (Array.from(run).length < 2 ? lones : runs).push(run);
      return " ";
    });
    const words = new Set();
    const cover = new Set();
    for (const run of runs) {
      const chars = Array.from(run);
      const pairs = chars.slice(1).map((char, i) => pairWord(chars[i], char));
      pairs.forEach((word, i) => {
        words.add(word);
        if (i % 2 === 0 || i === pairs.length - 1) cover.add(word);
      });
    }
    const others = [];
    const figures = [];
    for (const token of rest.split(/\s+/).filter(Boolean)) {
      if (LETTER.test(token)) {
        others.push(token);
      } else {
        for (const [, whole, decimals] of token.matchAll(FIGURE)) {
          figures.push({ typed: whole, word: figureWord(whole, decimals) });
        }
      }
    }
    const prefixes = lones.map(pairPrefix);
    const exact = [...new Set(figures.map((figure) => figure.word))];
    return { text, runs, lones, chinese: [...runs, ...lones], words: [...words],
             cover: [...cover], prefixes, others, figures, exact, sent: [], about: Infinity };
  }

  // What Pagefind searches for. Its time grows with the pages each word is on (a word on
  // all 10 000 pages of a language: ~0.8 s; two such words: ~2.5 s), and the page check
  // makes the answer exact whatever it gets, so it gets the covering words no page list
  // calls common (社区矫正 → 社区 矫正: fewer index chunks to download), or else the
  // single least common word of the query — or no word at all when even that one is on
  // most pages (满意度): Pagefind then lists the pages without reading its index (~25 ms
  // against ~80 ms for the word, on 10 000 pages), and the check keeps those that hold
  // the query; the count says "about" the pages the word is on, and the pages come in
  // the index's order (a word on most pages ranks no page above another anyway).
  function pagefindTerm(query, common) {
    const counts = common.words || {};
    const rareCover = query.cover.filter((word) => !(word in counts));
    const rarest = [...query.words].sort((a, b) => (counts[a] || 0) - (counts[b] || 0));
    const onMost = !rareCover.length && !query.prefixes.length && !query.others.length &&
      !query.exact.length &&
      (counts[rarest[0]] || 0) >= MOST_PAGES * (common.pages || Infinity);
    const sent = onMost ? [] : rareCover.length ? rareCover : rarest.slice(0, 1);
    return { sent, about: onMost ? counts[rarest[0]] : Infinity };
  }

  // The record pages, and the pair words on many of them with their page counts
  // (sitegen/search_index.py), asked for once, as the page starts.
  let commonWords = null;
  function loadCommonWords() {
    const language = document.documentElement.lang.toLowerCase();
    commonWords ||= fetch(new URL(`sitegen-common.${language}.json`, bundle))
      .then((response) => (response.ok ? response.json() : {}))
      .catch(() => ({}));
    return commonWords;
  }

  // Pagefind leaves out of a search any word that no page has, instead of finding nothing,
  // so such a query is answered "none" rather than by checking page after page. Asked
  // only when a first batch of candidates held no match: a search for a word on thousands
  // of pages costs Pagefind about a second on 10 000 pages.
  async function someWordMissing(query) {
    if (query.sent.length < 2) return false;
    const alone = await Promise.all(query.sent.map((word) => pagefind.search(word)));
    return alone.some((response) => response.results.length === 0);
  }

  // Pagefind leaves out a query word no page has rather than finding nothing, and it
  // joins table cells a reader sees apart: so a Chinese query is checked against each
  // page's own pair words and text before the page is shown.
  function holds(data, query) {
    if (!query.chinese.length) return true;
    const pageWords = new Set(data.content.match(PAIR_WORD) || []);
    const text = plainText(data.content);
    return query.words.every((w) => pageWords.has(w)) &&
      query.chinese.every((run) => text.includes(run));
  }

  // The page text as a reader sees it: cut where the hidden search words start.
  function plainText(content) {
    const end = content.lastIndexOf(WORDS_MARK);
    return (end >= 0 ? content.slice(0, end) : content).replace(/[\s.]+$/, "");
  }

  // The ids of the pages that hold `word` (a figure word) in their text: Pagefind's exact
  // search, which takes the word itself, never a longer one.
  async function pagesHolding(word) {
    const response = await pagefind.search(`"${word}"`);
    return new Set(response.results.filter((result) => result.words.length)
      .map((result) => result.id));
  }

  // --- searching --------------------------------------------------------------------------

  async function runSearch() {
    const mine = ++generation;
    const query = parseQuery(input.value.trim());
    if (query.runs.length) {
      Object.assign(query, pagefindTerm(query, await loadCommonWords()));
      if (mine !== generation) return;
    }
    const filters = chosenFilters();
    remember(query.text, filters);
    const term = [...query.sent, ...query.prefixes, ...query.others].join(" ");
    if (!term && !query.runs.length && !query.exact.length && !Object.keys(filters).length) {
      return clear();
    }
    busy(true);
    say(strings.searching);
    offerOtherLanguage("");
    // A query of figures alone sends Pagefind its first figure word exactly: asked for as
    // a beginning, qf8 would be every figure from 8 to 8999….
    const asked = term || query.runs.length || !query.exact.length ? term || null
      : `"${query.exact[0]}"`;
    const response = await pagefind.search(asked, { filters, sort: chosenSort() });
    const holding = [];
    for (const word of query.exact) holding.push(await pagesHolding(word));
    if (mine !== generation) return;
    const candidates = response.results.filter((result) =>
      holding.every((pages) => pages.has(result.id)));
    current = { query, candidates, next: 0, found: [], mine, asked: false };
    list.replaceChildren();
    await showMore();
  }

  // A search that fails (an index file renamed by a rebuild while the page was open, the
  // server gone) says so, instead of "searching…" for ever.
  function search() {
    return runSearch().catch(failed);
  }

  function failed() {
    busy(false);
    offerOtherLanguage("");
    say(strings.failed);
  }

  // Load and check candidates, showing each result as it arrives, until a page more of
  // results is shown, none are left, or CHECK_LIMIT were checked (each is a download).
  async function showMore() {
    const state = current;
    busy(true);
    const wanted = state.found.length + PAGE_SIZE;
    const stop = state.next + CHECK_LIMIT;
    while (state.found.length < wanted && state.next < Math.min(stop, state.candidates.length)) {
      const batch = state.candidates.slice(state.next, state.next + PAGE_SIZE);
      state.next += batch.length;
      for (const loading of batch.map((result) => result.data())) {
        const data = await loading;
        if (state.mine !== generation) return;
        if (!holds(data, state.query)) continue;
        state.found.push(data);
        list.append(resultItem(data, state.query));
      }
      if (!state.found.length && !state.asked) {
        state.asked = true;
        if (await someWordMissing(state.query)) state.candidates = [];
        if (state.mine !== generation) return;
      }
    }
    more.hidden = state.next >= state.candidates.length;
    say(countText(state), state.query.text);
    const none = !state.found.length && state.next >= state.candidates.length;
    offerOtherLanguage(none ? state.query.text : "");
    busy(false);
  }

  // No page in this language: the same query on the other language's search page (a
  // Chinese name typed on the English site is on the Chinese pages).
  function offerOtherLanguage(query) {
    otherLanguage.hidden = !query;
    if (!query) return;
    const link = otherLanguage.querySelector("a");
    link.href = link.dataset.base + "?q=" + encodeURIComponent(query);
    link.textContent = strings.other_language.replace("{q}", query);
  }

  function countText(state) {
    const { query, candidates, found, next } = state;
    const checked = next >= candidates.length;
    if (!found.length && checked) return strings.none.replace("{q}", query.text);
    // Nothing among the candidates checked so far: say so, not "about N results" over an
    // empty list; the "more" button checks the next ones.
    if (!found.length) {
      return strings.none_yet.replace("{checked}", next).replace("{q}", query.text)
        .replace("{rest}", candidates.length - next);
    }
    // Exact once every candidate was checked, or when none needs checking: no Chinese run,
    // or one pair word alone, sent to Pagefind, which matches it exactly.
    const exact = checked || !query.runs.length ||
      (query.words.length === 1 && query.sent.length === 1 && !query.others.length &&
       !query.exact.length);
    const count = checked ? found.length : Math.min(candidates.length, query.about);
    const text = !exact ? strings.results_about
      : count === 1 ? strings.result_one : strings.results;
    const said = text.replace("{n}", count);
    return query.lones.length ? said + " " + strings.one_character : said;
  }

  function clear() {
    current = null;
    list.replaceChildren();
    more.hidden = true;
    offerOtherLanguage("");
    say("", "");
    busy(false);
  }

  // `data-query` names the search the status speaks of (the tests wait for it).
  function say(text, query) {
    status.textContent = text;
    if (query !== undefined) status.dataset.query = query;
  }

  function busy(yes) {
    list.setAttribute("aria-busy", String(yes));
  }

  // --- one result ---------------------------------------------------------------------------

  function resultItem(data, query) {
    const item = element("li", "search-result");
    const heading = element("h2", "search-result-title");
    const link = element("a", "", data.meta.title || data.url);
    link.href = pageUrl(data.url);
    heading.append(link);
    if (data.meta.kind) heading.append(" ", element("span", "record-kind", data.meta.kind));
    item.append(heading, facts(data.meta), snippet(data, query));
    const row = indicatorRow(data.meta.indicators, query);
    if (row) {
      const rowLink = element("a", "", strings.in_indicator.replace("{name}", row[1]));
      rowLink.href = pageUrl(data.url) + "#" + row[0];
      item.append(element("p", "search-result-indicator", "", rowLink));
    }
    return item;
  }

  function facts(meta) {
    const parts = [meta.publisher, meta.year].filter(Boolean);
    if (meta.amount) parts.push(strings.amount + ": " + meta.amount);
    return element("p", "meta", parts.join(" · "));
  }

  // Pagefind's own addresses start at the site root; this site may live in a sub-folder.
  function pageUrl(url) {
    return new URL(url.replace(/^\//, ""), siteRoot).href;
  }

  // The first indicator whose name holds the query: the result links to its row.
  function indicatorRow(json, query) {
    let rows = [];
    try {
      rows = JSON.parse(json || "[]");
    } catch {
      return null;
    }
    const words = query.others.map((w) => w.toLowerCase());
    return rows.find(([, name]) => {
      const lower = name.toLowerCase();
      return query.chinese.length
        ? query.chinese.some((run) => name.includes(run))
        : words.length > 0 && words.every((w) => lower.includes(w));
    }) || null;
  }

  // A stretch of the page around the first match, every match in it marked.
  function snippet(data, query) {
    const text = plainText(data.content);
    const terms = query.chinese.length ? query.chinese
      : [...query.others.filter((w) => w.length > 1), ...query.figures.map((f) => f.typed)];
    const lower = text.toLowerCase();
    const hits = terms.map((t) => lower.indexOf(t.toLowerCase())).filter((i) => i >= 0);
    if (!hits.length) return excerpt(data.excerpt);
    const first = Math.min(...hits);
    const start = Math.max(0, first - 30);
    const part = text.slice(start, first + 90);
    return marked(part, terms, start > 0, start + 120 < text.length);
  }

  function marked(part, terms, cutBefore, cutAfter) {
    const p = element("p", "search-result-snippet");
    const pattern = new RegExp(terms.map(escapeRegExp).join("|"), "gi");
    let last = 0;
    if (cutBefore) p.append("…");
    for (const match of part.matchAll(pattern)) {
      p.append(part.slice(last, match.index), element("mark", "", match[0]));
      last = match.index + match[0].length;
    }
    p.append(part.slice(last));
    if (cutAfter) p.append("…");
    return p;
  }

  // Pagefind's excerpt (for English words it matched by their stem): only its text and
  // its <mark>s are kept, never its markup as such.
  function excerpt(html) {
    const p = element("p", "search-result-snippet");
    const parsed = new DOMParser().parseFromString(html || "", "text/html");
    for (const node of parsed.body.childNodes) {
      const text = node.textContent.replace(PAIR_WORD, "").replace(FIGURE_WORD, "")
        .replace(WORDS_MARK, "");
      p.append(node.nodeName === "MARK" ? element("mark", "", text) : text);
    }
    return p;
  }

  function element(tag, className, text, ...children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    node.append(...children);
    return node;
  }

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  // --- filters, sorting, the address ------------------------------------------------------

  function chosenSort() {
    const [key, direction] = sortSelect.value.split(":");
    return key ? { [key]: direction } : {};
  }

  function chosenFilters() {
    const chosen = {};
    for (const box of groups.querySelectorAll("input:checked")) {
      (chosen[box.name] ||= { any: [] }).any.push(box.value);
    }
    return chosen;
  }

  // Filters are drawn only when asked for: their lists are downloads of their own.
  function drawFilters(wanted = {}) {
    filtersDrawn ||= pagefind.filters().then((available) => {
      for (const key of FILTERS) {
        if (available[key]) groups.append(filterGroup(key, available[key], wanted[key] || []));
      }
    }).catch(() => {
      filtersDrawn = null; // asked again next time
      failed();
    });
    return filtersDrawn;
  }

  function filterGroup(key, counts, checked) {
    const fieldset = element("fieldset", "search-filter");
    fieldset.append(element("legend", "", strings[key]));
    const values = Object.keys(counts).sort((a, b) => (key === "year" ? b.localeCompare(a)
      : a.localeCompare(b)));
    values.forEach((value, index) => {
      const box = element("input");
      Object.assign(box, { type: "checkbox", name: key, value, id: `filter-${key}-${index}` });
      box.checked = checked.includes(value);
      const label = element("label", "", `${value} (${counts[value]})`);
      label.htmlFor = box.id;
      fieldset.append(element("div", "search-filter-choice", "", box, label));
    });
    return fieldset;
  }

  // The query, sort and filters go into the address, so a search can be shared or bookmarked,
  // and the language switch keeps the query.
  function remember(text, filters) {
    const params = new URLSearchParams();
    if (text) params.set("q", text);
    if (sortSelect.value) params.set("sort", sortSelect.value);
    for (const [key, { any }] of Object.entries(filters)) any.forEach((v) => params.append(key, v));
    const query = params.toString();
    history.replaceState(null, "", query ? "?" + query : location.pathname);
    const other = document.querySelector("a.language-switch");
    if (other) other.search = text ? "?" + new URLSearchParams({ q: text }) : "";
  }

  function fromAddress() {
    const params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    sortSelect.value = params.get("sort") || "";
    const wanted = {};
    for (const key of FILTERS) if (params.getAll(key).length) wanted[key] = params.getAll(key);
    return wanted;
  }

  // --- start ------------------------------------------------------------------------------

  function unavailable() {
    $("search-unavailable").hidden = false;
    $("search-options").hidden = true;
    say("");
  }

  async function start() {
    try {
      pagefind = await import(bundle.href);
      // No worker: one file less to download (41 KB), and no worker-src for a strict CSP.
      await pagefind.options({ excerptLength: 30, noWorker: true });
      await pagefind.init(); // the engine and the page list load while the reader types
      loadCommonWords(); // a few KB, wanted by the first Chinese query: no wait then
    } catch {
      return unavailable();
    }
    $("search-options").hidden = false;
    const wanted = fromAddress();
    if (Object.keys(wanted).length) {
      filterBox.open = true;
      await drawFilters(wanted);
    }
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      clearTimeout(typingTimer);
      search();
    });
    input.addEventListener("input", () => {
      clearTimeout(typingTimer);
      typingTimer = setTimeout(search, TYPING_PAUSE_MS);
    });
    sortSelect.addEventListener("change", search);
    groups.addEventListener("change", search);
    filterBox.addEventListener("toggle", () => filterBox.open && drawFilters());
    more.addEventListener("click", () => current && showMore().catch(failed));
    if (input.value || Object.keys(wanted).length) await search();
  }

  start();
})();
