// The search page (templates/search.html). Pagefind does the searching; this file turns a
// Chinese query into the pair words sitegen/search.py adds to every page, keeps only the
// pages whose text holds the query itself, asks Pagefind for every other word and figure
// exactly, and draws results, filters and sorting.
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
  // The first word of every page's hidden search words (sitegen/search.py
  // SEARCH_WORDS_MARK): a page's text is cut there, so no snippet shows what follows.
  const WORDS_MARK = "sitegensearchwords";
  // Words no page shows: the hidden ones, typed by someone who found them in the HTML.
  const HIDDEN_WORD = new RegExp(
    `^(?:${PAIR_PREFIX}\\d{12}|${FIGURE_PREFIX}\\d+(?:d\\d+)?|${WORDS_MARK})$`);
  // What Pagefind keeps of a word (letters and figures, lower case, accents dropped).
  const NOT_KEPT = /[^\p{L}\p{N}]+/gu;
  const LETTER = /\p{L}/u;
  // Inside a word, the parts Pagefind indexes on their own: Latin words with what joins
  // them (COVID-19), each Latin word or figure, and each run of one case
  // (indicatorsQuantity).
  const WORD_PARTS = [
    /[\p{Script=Latin}\p{N}](?:[\p{Script=Latin}\p{N}'’&./_-]*[\p{Script=Latin}\p{N}])?/gu,
    /[\p{Script=Latin}\p{N}]+/gu,
    /\p{Lu}+(?!\p{Ll})|\p{Lu}?\p{Ll}+/gu,
  ];
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

  // A word as Pagefind indexes it: 'Rule-of-law' → ruleoflaw.
  function keptOf(word) {
    return word.normalize("NFD").replace(/\p{M}/gu, "").replace(NOT_KEPT, "").toLowerCase();
  }

  // Chinese runs of two or more characters become pair words. The check of each page
  // wants them all; Pagefind gets the few `pagefindTerm` picks. A lone character makes no
  // pair word: it goes as the beginning its pair words share, which Pagefind matches as a
  // prefix (every page where it starts a pair; the status says the rest may be missed).
  // Everything else is a word (with a letter: projects, COVID-19) or figures (80,000,
  // 2023-2024): Pagefind would match each as the beginning of a longer word, or find a
  // word no page has as the longest word it begins with, or leave it out; so each is
  // also asked for exactly (`exact`), and only the pages with every one are results.
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
    const latin = [];
    const figures = [];
    for (const token of rest.split(/\s+/).filter(Boolean)) {
      if (LETTER.test(token)) {
        const kept = keptOf(token);
        if (kept) latin.push({ typed: token, word: kept });
      } else {
        for (const [, whole, decimals] of token.matchAll(FIGURE)) {
          figures.push({ typed: whole, word: figureWord(whole, decimals) });
        }
      }
    }
    const prefixes = lones.map(pairPrefix);
    const exact = [...new Set([...latin, ...figures].map((part) => part.word))];
    return { text, runs, lones, chinese: [...runs, ...lones], words: [...words],
             cover: [...cover], prefixes, latin, figures, exact,
             hidden: latin.some(({ word }) => HIDDEN_WORD.test(word)), sent: [], about: Infinity };
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
    const onMost = !rareCover.length && !query.prefixes.length && !query.exact.length &&
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

  // The pages that hold `word` (a figure word or a word as Pagefind keeps it) in their
  // text, each with where it first is there (a word's number in the page's text, as
  // Pagefind counts): Pagefind's exact search, which takes the word itself or, in
  // English, a word of the same stem (projects: project), never a longer word. Pages
  // where it is only in the metadata (the indicator list, `indicators`) have no place
  // in the text and are left out.
  async function pagesHolding(word) {
    const response = await pagefind.search(`"${word}"`);
    return new Map(response.results.filter((result) => result.words.length)
      .map((result) => [result.id, result.words[0]]));
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
    const term = [...query.sent, ...query.prefixes, ...query.latin.map((w) => w.word)].join(" ");
    if (!term && !query.runs.length && !query.exact.length && !Object.keys(filters).length) {
      return clear();
    }
    busy(true);
    say(strings.searching);
    offerOtherLanguage("");
    let candidates = [];
    const located = new Map(); // word → (page id → its first place in the page's text)
    if (!query.hidden) {
      // A query of figures alone sends Pagefind its first figure word exactly: asked for
      // as a beginning, qf8 would be every figure from 8 to 8999….
      const asked = term || query.runs.length || !query.exact.length ? term || null
        : `"${query.exact[0]}"`;
      const response = await pagefind.search(asked, { filters, sort: chosenSort() });
      for (const word of query.exact) located.set(word, await pagesHolding(word));
      candidates = response.results.filter((result) =>
        [...located.values()].every((pages) => pages.has(result.id)));
    }
    if (mine !== generation) return;
    current = { query, candidates, located, next: 0, found: [], mine, asked: false };
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
      for (const [id, loading] of batch.map((result) => [result.id, result.data()])) {
        const data = await loading;
        if (state.mine !== generation) return;
        if (!holds(data, state.query)) continue;
        state.found.push(data);
        list.append(resultItem(data, state.query, placesOn(id, state.located)));
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
    // Exact once every candidate was checked, or when none needs checking: no Chinese run
    // (words and figures were asked for exactly), or one pair word alone, sent to
    // Pagefind, which matches it exactly.
    const exact = checked || !query.runs.length ||
      (query.words.length === 1 && query.sent.length === 1 && !query.exact.length);
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

  // Where each exactly asked word first is in one page's text (word → its number there).
  function placesOn(id, located) {
    return new Map([...located].map(([word, pages]) => [word, pages.get(id)]));
  }

  function resultItem(data, query, places) {
    const item = element("li", "search-result");
    const heading = element("h2", "search-result-title");
    const link = element("a", "", data.meta.title || data.url);
    link.href = pageUrl(data.url);
    heading.append(link);
    if (data.meta.kind) heading.append(" ", element("span", "record-kind", data.meta.kind));
    const text = plainText(data.content);
    const spans = matchesIn(text, data.content, query, places);
    item.append(heading, facts(data.meta), snippet(text, spans));
    const shown = spans.map(([start, end]) => text.slice(start, end));
    const row = indicatorRow(data.meta.indicators, query, shown);
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

  // The first indicator whose name holds the query: the result links to its row. A
  // Chinese query is found in the name as typed; words and figures as the page's text has
  // them where they matched (`shown`: projects finds the name with project in it).
  function indicatorRow(json, query, shown) {
    let rows = [];
    try {
      rows = JSON.parse(json || "[]");
    } catch {
      return null;
    }
    if (query.chinese.length) {
      return rows.find(([, name]) => query.chinese.some((run) => name.includes(run))) || null;
    }
    const forms = new Set(shown.map(keptOf));
    if (!forms.size) return null;
    return rows.find(([, name]) => wordsOf(name).some(([, , word]) => forms.has(keptOf(word))))
      || null;
  }

  // The words of a text as Pagefind reads a page: each between spaces, without the
  // punctuation around it, and the parts Pagefind also indexes (rule-of-law: rule, of,
  // law; rateAs, where two cells meet: rate, As; 12348热线: 12348); each as
  // [start, end, word].
  function wordsOf(text) {
    const found = [];
    const seen = new Set();
    const add = (start, word) => {
      const key = `${start}:${word.length}`;
      if (!seen.has(key)) found.push([start, start + word.length, word]);
      seen.add(key);
    };
    for (const chunk of text.matchAll(/\S+/g)) {
      const whole = chunk[0].match(/[\p{L}\p{N}](?:.*[\p{L}\p{N}])?/u);
      if (whole) add(chunk.index + whole.index, whole[0]);
      for (const parts of WORD_PARTS) {
        for (const part of chunk[0].matchAll(parts)) add(chunk.index + part.index, part[0]);
      }
    }
    return found;
  }

  // Where the query is in the page's own text `text` (never in its hidden words), as
  // [start, end] in order: each Chinese run as typed; each figure wherever the text shows
  // it (80,000.00 for 80000); each word where Pagefind found it (`places`, its number
  // among the words of `content`) and wherever the text has the same form of it again.
  function matchesIn(text, content, query, places) {
    const spans = [];
    for (const run of query.chinese) {
      for (let at = text.indexOf(run); at >= 0; at = text.indexOf(run, at + run.length)) {
        spans.push([at, at + run.length]);
      }
    }
    const figures = new Set(query.figures.map((figure) => figure.word));
    for (const match of text.matchAll(FIGURE)) {
      if (figures.has(figureWord(match[1], match[2]))) {
        spans.push([match.index, match.index + match[0].length]);
      }
    }
    const words = wordsOf(text);
    for (const latin of query.latin) {
      const forms = new Set([latin.word]);
      const place = places.get(latin.word);
      const chunk = place === undefined ? null : [...content.matchAll(/\S+/g)][place];
      if (chunk && chunk.index < text.length) {
        // The word Pagefind matched: the whole, or the part of it most like the query
        // (law in rule-of-law).
        const inside = words.filter(([start, end]) =>
          start >= chunk.index && end <= chunk.index + chunk[0].length);
        const best = inside.map(([, , word]) => keptOf(word))
          .sort((a, b) => shared(b, latin.word) - shared(a, latin.word) || a.length - b.length)[0];
        if (best) forms.add(best);
      }
      for (const [start, end, word] of words) {
        if (forms.has(keptOf(word))) spans.push([start, end]);
      }
    }
    spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    return spans.filter((span, i) => i === 0 || span[0] >= spans[i - 1][1]);
  }

  function shared(a, b) {
    let n = 0;
    while (n < a.length && a[n] === b[n]) n++;
    return n;
  }

  // A stretch of the page's text around the first match, every match in it marked; with
  // no match in the text (a search by filters alone), the beginning of the page.
  function snippet(text, spans) {
    const p = element("p", "search-result-snippet");
    const first = spans.length ? spans[0][0] : 0;
    const start = Math.max(0, first - 30);
    const end = Math.min(text.length, first + 90);
    if (start > 0) p.append("…");
    let last = start;
    for (const [from, to] of spans) {
      if (from < start || to > end) continue;
      p.append(text.slice(last, from), element("mark", "", text.slice(from, to)));
      last = to;
    }
    p.append(text.slice(last, end));
    if (end < text.length) p.append("…");
    return p;
  }

  function element(tag, className, text, ...children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    node.append(...children);
    return node;
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
    const wanted = fromAddress(); // in the box even where search cannot run
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
