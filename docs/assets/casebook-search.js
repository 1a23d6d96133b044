/* Search on Pagefind: the box in the header of every page, and the search page (search/?q=…).
   Loads nothing until the reader focuses a box (or opens the search page), then only
   Pagefind's own bundle and the site's character map. The index holds the Simplified pages
   only: a query in either script is converted to Simplified (敲門 finds 敲门), and on the
   Traditional pages the results are shown in Traditional and lead to zh-Hant/.

   Every page is indexed as a case or a section (栏目), Pagefind's filter `kind`: each query is
   run once for each group, and the cases are listed first. The search page narrows the cases by
   the browse page's facets (Pagefind filters of the same names and values) and keeps the query
   and the choice in the URL as the browse page does: ?q=…&pillar=a,b&district=…. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("__config").textContent);
  var hant = (document.documentElement.lang || "").indexOf("zh-Hant") === 0;
  var preview = document.documentElement.hasAttribute("data-cb-preview");  // make serve: no index
  var base = new URL((config.base || ".") + "/", location.href);
  var root = hant ? new URL("../", base) : base;       // the site root, where pagefind/ lives
  var HEADER_CASES = 6;     // results the header box lists of each group
  var HEADER_SECTIONS = 3;
  var STEP = 20;            // results the search page adds at each 加载更多
  var RERANK = 10;          // the first results reordered by the whole phrase (phraseFirst)
  // The pages under zh-Hant/ are converted at build time; this script is not, so its words come
  // in both scripts here.
  var text = {
    hans: { placeholder: "搜索案例、地区、做法", none: "没有找到", searching: "搜索中…", results: "个结果", label: "搜索",
      list: "搜索结果", broken: "搜索暂时无法使用", cases: "案例", sections: "栏目", all: "查看全部 ", allEnd: " 个结果",
      total: "共 ", casesN: " 个案例", sectionsN: " 个栏目", narrowed: "筛选出 ", ask: "请输入要搜索的词。",
      preview: "预览（make serve）不建搜索索引；完整站点用 make build 或 make serve-full。" },
    hant: { placeholder: "搜尋案例、地區、做法", none: "沒有找到", searching: "搜尋中…", results: "個結果", label: "搜尋",
      list: "搜尋結果", broken: "搜尋暫時無法使用", cases: "案例", sections: "欄目", all: "查看全部 ", allEnd: " 個結果",
      total: "共 ", casesN: " 個案例", sectionsN: " 個欄目", narrowed: "篩選出 ", ask: "請輸入要搜尋的詞。",
      preview: "預覽（make serve）不建搜尋索引；完整網站用 make build 或 make serve-full。" }
  }[hant ? "hant" : "hans"];

  var pagefind = null;
  var maps = null;
  var loading = null;
  var bundle = new URL("pagefind/", root);
  var wordBuckets = 0;      // the index's words, in files by first character (see search.py's write_words)
  var wordFiles = {};
  var terms = {};           // each query as searched: cut into the index's words, or as typed
  var CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
  var LONGEST_WORD = 8;

  function load() {
    if (!loading) {
      loading = Promise.all([
        import(new URL("pagefind.js", bundle).href),
        fetch(new URL("search-map.json", root).href).then(function (r) { return r.ok ? r.json() : {}; }),
        // A large casebook is indexed in shards; the first bundle lists the others.
        fetch(new URL("shards.json", bundle).href).then(function (r) { return r.ok ? r.json() : []; }),
        fetch(new URL("words/index.json", bundle).href).then(function (r) { return r.ok ? r.json() : {}; }),
      ]).then(function (loaded) {
        pagefind = loaded[0];
        maps = loaded[1] || {};
        wordBuckets = (loaded[3] && loaded[3].buckets) || 0;
        return pagefind.options({ excerptLength: 40, language: "zh-hans" }).then(function () {
          return Promise.all(loaded[2].map(function (shard) {
            return pagefind.mergeIndex(new URL(shard, bundle).href, { language: "zh-hans" });
          }));
        });
      });
    }
    return loading;
  }

  /* A query in either script, in the index's script. */
  function toHans(query) {
    var out = "";
    var t2s = (maps && maps.t2s) || {};
    for (var i = 0; i < query.length; i++) { out += t2s[query[i]] || query[i]; }
    return out;
  }

  /* Simplified result text for a Traditional page: per character, with the pairs that tell
     ambiguous characters apart (里 → 裡 or 里). Markup is ASCII and passes through. */
  function toHant(s) {
    if (!hant || !maps) { return s; }
    var pairs = maps.pairs || {};
    var s2t = maps.s2t || {};
    var out = "";
    for (var j = 0; j < s.length; j++) {
      var pair = pairs[s.substr(j, 2)];
      var prev = j > 0 ? pairs[s.substr(j - 1, 2)] : null;
      if (pair) { out += pair[0]; }
      else if (prev) { out += prev[1]; }
      else { out += s2t[s[j]] || s[j]; }
    }
    return out;
  }

  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
  }

  function href(url) {
    return new URL((hant ? "zh-Hant/" : "") + url.replace(/^\//, ""), root).href;
  }

  function searchPage(query) {
    return new URL((hant ? "zh-Hant/" : "") + "search/?q=" + encodeURIComponent(query), root).href;
  }

  function words(n) {
    if (!wordFiles[n]) {
      wordFiles[n] = fetch(new URL("words/" + n + ".json", bundle).href)
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (list) { var set = {}; list.forEach(function (w) { set[w] = true; }); return set; }, function () { return {}; });
    }
    return wordFiles[n];
  }

  /* A Simplified query cut into the index's words, longest first (社区之歌 → 社区 之 歌): Pagefind
     then finds the pages that hold every word, where an uncut query matches its first word only. */
  function cut(query) {
    var chars = Array.from(query);
    var needed = {};
    chars.forEach(function (c) { if (CJK.test(c) && wordBuckets) { needed[c.codePointAt(0) % wordBuckets] = true; } });
    var keys = Object.keys(needed);
    return Promise.all(keys.map(words)).then(function (sets) {
      var known = {};
      keys.forEach(function (k, n) { known[k] = sets[n]; });
      var out = [];
      var i = 0;
      while (i < chars.length) {
        if (!CJK.test(chars[i])) {
          var j = i;
          while (j < chars.length && !CJK.test(chars[j])) { j++; }
          out.push(chars.slice(i, j).join(""));
          i = j;
          continue;
        }
        var set = known[chars[i].codePointAt(0) % wordBuckets] || {};
        var take = 1;
        for (var n = Math.min(LONGEST_WORD, chars.length - i); n >= 2; n--) {
          if (set[chars.slice(i, i + n).join("")]) { take = n; break; }
        }
        out.push(chars.slice(i, i + take).join(""));
        i += take;
      }
      return out.join(" ").replace(/\s+/g, " ").trim();
    });
  }

  /* What to ask Pagefind for a query: the cut words when some page holds them all, else the
     query as typed (so that cutting never finds less than Pagefind alone). */
  function termsOf(query) {
    var hans = toHans(query);
    if (!terms[hans]) {
      terms[hans] = cut(hans).then(function (cutWords) {
        if (cutWords === hans) { return hans; }
        return pagefind.search(cutWords).then(function (s) { return s.results.length ? cutWords : hans; });
      });
    }
    return terms[hans];
  }

  /* One query, once per group: the cases (narrowed by `facets`, {pillar: [ids]}) and the
     sections. Each is Pagefind's answer: its results in order, their data loaded on demand. */
  function caseFilters(facets) {
    var filters = { kind: "case" };
    // Every facet is named, chosen or not (an empty `any` narrows nothing): Pagefind counts the
    // values of the filters a search names, and only those.
    Object.keys(facets || {}).forEach(function (facet) { filters[facet] = { any: facets[facet] }; });
    return filters;
  }

  function searchCases(query, facets) {
    return termsOf(query).then(function (t) { return pagefind.search(t, { filters: caseFilters(facets) }); });
  }

  function searchSections(query) {
    return termsOf(query).then(function (t) { return pagefind.search(t, { filters: { kind: "section" } }); });
  }

  /* A result as a list item. Titles and metadata are the index's text, escaped here; the
     excerpt is Pagefind's, escaped by Pagefind with the matched words in <mark>. */
  function item(r) {
    var meta = [r.meta.place, r.meta.pillar].filter(Boolean).map(esc).join(" · ");
    return '<li class="cb-search__result"><a href="' + esc(href(r.url)) + '">' +
      '<span class="cb-search__title">' + toHant(esc(r.meta.title || r.url)) + "</span>" +
      (meta ? '<span class="cb-search__meta">' + toHant(meta) + "</span>" : "") +
      '<span class="cb-search__excerpt">' + toHant(r.excerpt) + "</span></a></li>";
  }

  function loaded(r) {
    if (!r.cbData) { r.cbData = r.data(); }  // each result's page data is fetched once
    return r.cbData;
  }

  function data(results, from, to) {
    return Promise.all(results.slice(from, to).map(loaded));
  }

  /* Pagefind ranks a page by its words, wherever they stand: 上门服务 puts a page with 上门 once
     and 服务 often above the page that says 上门服务. Among the first RERANK results, the pages
     that hold the query as written come first (otherwise in Pagefind's order); the header box
     and the search page reorder the same window, so they agree. */
  function phraseFirst(query, search) {
    var phrase = toHans(query).replace(/\s+/g, "");
    var top = search.results.slice(0, RERANK);
    if (Array.from(phrase).length < 2 || top.length < 2) { return Promise.resolve(search.results); }
    return Promise.all(top.map(loaded)).then(function (pages) {
      var holds = pages.map(function (d) { return (d.content || "").replace(/\u200b/g, "").indexOf(phrase) >= 0 ? 1 : 0; });
      var order = top.map(function (r, i) { return i; }).sort(function (a, b) { return (holds[b] - holds[a]) || (a - b); });
      return order.map(function (i) { return top[i]; }).concat(search.results.slice(RERANK));
    });
  }

  function links(container) {
    return Array.prototype.slice.call(container.querySelectorAll(".cb-search__result a, a.cb-search__all"));
  }

  /* Arrows move from one result to the next, across groups (Up from the first returns to
     `input`); Home and End jump; Enter is the link's own. `all` lists the links in order. */
  function arrowKeys(container, input, onEscape, all) {
    container.addEventListener("keydown", function (e) {
      var list = all();
      var at = list.indexOf(document.activeElement);
      if (at < 0) { return; }
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        var next = at + (e.key === "ArrowDown" ? 1 : -1);
        if (next < 0) { input.focus(); } else if (next < list.length) { list[next].focus(); }
      } else if (e.key === "Home" || e.key === "End") {
        e.preventDefault();
        list[e.key === "Home" ? 0 : list.length - 1].focus();
      } else if (e.key === "Escape" && onEscape) {
        e.preventDefault();
        onEscape();
      }
    });
  }

  // -- the header box ---------------------------------------------------------------------
  function setupHeader() {
    var header = document.querySelector(".md-header__inner");
    if (!header) { return; }
    var box = document.createElement("div");
    box.className = "cb-search";
    box.setAttribute("role", "search");
    box.innerHTML =
      '<button type="button" class="cb-search__open md-header__button md-icon" aria-label="' + text.label +
      '" aria-expanded="false" aria-controls="cb-search-panel">' +
      '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M9.5 3A6.5 6.5 0 0 1 16 9.5c0 1.61-.59 3.09-1.56 4.23l.27.27h.79l5 5-1.5 1.5-5-5v-.79l-.27-.27A6.52 6.52 0 0 1 9.5 16 6.5 6.5 0 0 1 3 9.5 6.5 6.5 0 0 1 9.5 3m0 2C7 5 5 7 5 9.5S7 14 9.5 14 14 12 14 9.5 12 5 9.5 5"/></svg></button>' +
      '<div class="cb-search__panel" id="cb-search-panel">' +
      '<input type="search" class="cb-search__input" autocomplete="off" enterkeyhint="search" aria-label="' + text.label +
      '" placeholder="' + text.placeholder + '">' +
      '<p class="cb-search__status" aria-live="polite"></p><div class="cb-search__results" aria-label="' + text.list +
      '"></div></div>';
    var anchor = header.querySelector(".md-header__option") || null;
    header.insertBefore(box, anchor);
    var input = box.querySelector(".cb-search__input");
    var status = box.querySelector(".cb-search__status");
    var list = box.querySelector(".cb-search__results");
    var opener = box.querySelector(".cb-search__open");
    var timer = null;
    var serial = 0;
    var openFirst = false;  // Enter came before the results: open the first once they are in

    /* Open results lie over the page, which is dimmed and inert beneath them (no link half
       hidden under the list can be reached by Tab or pointer) until they close. */
    function covering(on) {
      box.classList.toggle("cb-search--results", on);
      var page = document.querySelector(".md-container");
      if (page) { page.inert = on; }
    }

    function setOpen(open) {
      box.classList.toggle("cb-search--open", open);
      opener.setAttribute("aria-expanded", open ? "true" : "false");
    }

    /* Escape: clear and close, and give focus back where it came from: the toggle on a phone
       (where the box folds away), the box itself on a desk (where it stays in the header). */
    function close() {
      clearTimeout(timer);
      serial++;
      openFirst = false;
      input.value = "";
      list.innerHTML = "";
      list.removeAttribute("data-query");
      status.textContent = "";
      covering(false);
      setOpen(false);
      if (opener.offsetParent !== null) { opener.focus(); } else { input.focus(); }
    }

    function group(id, label, items) {
      if (!items.length) { return ""; }
      return '<p class="cb-search__group" id="cb-search-' + id + '">' + label + "</p>" +
        '<ol class="cb-search__list" aria-labelledby="cb-search-' + id + '">' + items.map(item).join("") + "</ol>";
    }

    function render(query, found) {
      list.setAttribute("data-query", query);  // which query the list answers (tests wait on it)
      covering(true);
      if (!found.total) {
        list.innerHTML = '<p class="cb-search__none">' + text.none + "“" + esc(query) + "”</p>";
        return;
      }
      list.innerHTML = group("cases", text.cases, found.cases) + group("sections", text.sections, found.sections) +
        '<p class="cb-search__more"><a class="cb-search__all" href="' + esc(searchPage(query)) + '">' +
        text.all + found.total + text.allEnd + "</a></p>";
    }

    // The dimmed page beneath open results is the box's own ::after: a click there closes them.
    box.addEventListener("click", function (e) { if (e.target === box) { close(); } });
    opener.addEventListener("click", function () {
      setOpen(!box.classList.contains("cb-search--open"));
      if (box.classList.contains("cb-search--open")) { input.focus(); }
    });
    input.addEventListener("focus", function () { if (!preview) { load(); } });
    input.addEventListener("keydown", function (e) {
      // Enter also confirms a word in a Chinese input method: that Enter is the IME's, not ours.
      if (e.isComposing || e.keyCode === 229) { return; }
      if (e.key === "Escape") { e.preventDefault(); close(); return; }
      if (e.key === "ArrowDown") {
        var all = links(list);
        if (all.length) { e.preventDefault(); all[0].focus(); }
        return;
      }
      if (e.key === "Enter") {
        e.preventDefault();
        var answered = list.getAttribute("data-query") === input.value.trim() && links(list).length;
        if (answered) { links(list)[0].click(); } else if (input.value.trim()) { openFirst = true; clearTimeout(timer); run(); }
      }
    });
    arrowKeys(list, input, close, function () { return links(list); });
    input.addEventListener("input", function () {
      openFirst = false;
      clearTimeout(timer);
      timer = setTimeout(run, 150);
    });

    function run() {
      var query = input.value.trim();
      var mine = ++serial;
      if (!query) {
        list.innerHTML = "";
        list.removeAttribute("data-query");
        status.textContent = "";
        covering(false);
        return;
      }
      if (preview) { status.textContent = text.preview; return; }
      status.textContent = text.searching;
      load().then(function () {
        return Promise.all([searchCases(query), searchSections(query)]);
      }).then(function (both) {
        return Promise.all([phraseFirst(query, both[0]), phraseFirst(query, both[1])]);
      }).then(function (both) {
        return Promise.all([data(both[0], 0, HEADER_CASES), data(both[1], 0, HEADER_SECTIONS)])
          .then(function (shown) {
            return { total: both[0].length + both[1].length, cases: shown[0], sections: shown[1] };
          });
      }).then(function (found) {
        if (mine !== serial) { return; }
        status.textContent = found.total ? found.total + " " + text.results : "";
        render(query, found);
        if (openFirst) {
          openFirst = false;
          var first = list.querySelector(".cb-search__result a");
          if (first) { first.click(); }
        }
      }).catch(function () {
        status.textContent = text.broken;
      });
    }
  }

  // -- the search page --------------------------------------------------------------------
  function setupPage() {
    var form = document.querySelector("form[data-cb-search-page]");
    var filters = document.querySelector("form[data-cb-search-filters]");
    if (!form || !filters) { return; }
    var input = form.querySelector("input[name=q]");
    var status = document.querySelector(".cb-searchpage__status");
    var toggle = document.querySelector("[aria-controls=cb-search-filters]");
    var facets = Array.prototype.map.call(filters.querySelectorAll("fieldset[data-facet]"), function (f) {
      return f.getAttribute("data-facet");
    });
    var groups = Array.prototype.map.call(document.querySelectorAll(".cb-searchpage__group"), function (el) {
      return { el: el, list: el.querySelector("ol"), more: el.querySelector("[data-cb-more]"), results: [], shown: 0 };
    });
    var serial = 0;
    input.placeholder = text.placeholder;

    function inputs(facet) { return filters.querySelectorAll('input[name="' + facet + '"]'); }

    function pageLinks() {
      return Array.prototype.slice.call(document.querySelectorAll(".cb-searchpage__group:not([hidden]) .cb-search__result a"));
    }

    function chosen() {
      var out = {};
      facets.forEach(function (facet) {
        out[facet] = Array.prototype.filter.call(inputs(facet), function (i) { return i.checked; })
          .map(function (i) { return i.value; });
      });
      return out;
    }

    function narrowed(picked) { return facets.some(function (facet) { return picked[facet].length > 0; }); }

    function fromUrl() {
      var params = new URLSearchParams(location.search);
      input.value = params.get("q") || "";
      facets.forEach(function (facet) {
        var wanted = (params.get(facet) || "").split(",");
        inputs(facet).forEach(function (i) { i.checked = wanted.indexOf(i.value) >= 0; });
      });
    }

    function toUrl(query, picked) {
      var params = new URLSearchParams();
      if (query) { params.set("q", query); }
      facets.forEach(function (facet) { if (picked[facet].length) { params.set(facet, picked[facet].join(",")); } });
      var qs = params.toString();
      history.replaceState(null, "", location.pathname + (qs ? "?" + qs : "") + location.hash);
    }

    /* Each value's count: the cases the query finds with it, given the other groups' choices
       (any value within a group, every group at once), as on the browse page. */
    function recount(query, picked, found) {
      return Promise.all(facets.map(function (facet) {
        if (!picked[facet].length) { return Promise.resolve(found.filters || {}); }
        var others = {};
        facets.forEach(function (f) { others[f] = f === facet ? [] : picked[f]; });
        return searchCases(query, others).then(function (s) { return s.filters || {}; });
      })).then(function (all) {
        facets.forEach(function (facet, n) {
          var counts = all[n][facet] || {};
          inputs(facet).forEach(function (i) {
            var c = counts[i.value] || 0;
            var label = i.closest("label");
            label.querySelector("[data-count]").textContent = c;
            label.classList.toggle("cb-facet__option--empty", c === 0 && !i.checked);
          });
        });
      });
    }

    function showMore(g) {
      var from = g.shown;
      g.shown = Math.min(g.results.length, g.shown + STEP);
      var mine = serial;
      return data(g.results, from, g.shown).then(function (items) {
        if (mine !== serial) { return; }
        g.list.insertAdjacentHTML("beforeend", items.map(item).join(""));
        g.more.hidden = g.shown >= g.results.length;
      });
    }

    function run() {
      var query = input.value.trim();
      var picked = chosen();
      var mine = ++serial;
      toUrl(query, picked);
      var active = facets.reduce(function (sum, f) { return sum + picked[f].length; }, 0);
      toggle.querySelector("[data-active]").textContent = active ? "（" + active + "）" : "";
      groups.forEach(function (g) { g.list.innerHTML = ""; g.results = []; g.shown = 0; g.more.hidden = true; g.el.hidden = true; });
      status.removeAttribute("data-query");
      if (!query) { status.textContent = text.ask; return; }
      if (preview) { status.textContent = text.preview; return; }
      status.textContent = text.searching;
      load().then(function () {
        // A narrowed search is of cases only: the sections have no pillar, place or year.
        return Promise.all([searchCases(query, picked), narrowed(picked) ? { results: [] } : searchSections(query)]);
      }).then(function (both) {
        return Promise.all([phraseFirst(query, both[0]), phraseFirst(query, both[1])]).then(function (ordered) {
          return { cases: both[0], results: ordered };
        });
      }).then(function (found) {
        if (mine !== serial) { return; }
        groups[0].results = found.results[0];
        groups[1].results = found.results[1];
        return Promise.all([recount(query, picked, found.cases)].concat(groups.map(showMore))).then(function () {
          if (mine !== serial) { return; }
          groups.forEach(function (g) { g.el.hidden = !g.results.length; });
          var cases = found.results[0].length, sections = found.results[1].length;
          if (!cases && !sections) {
            status.textContent = text.none + "“" + query + "”";
          } else if (narrowed(picked)) {
            status.textContent = text.narrowed + cases + text.casesN;
          } else {
            status.textContent = text.total + (cases + sections) + " " + text.results + "：" + cases + text.casesN +
              "，" + sections + text.sectionsN;
          }
          status.setAttribute("data-query", query);  // which query the page answers (tests wait on it)
        });
      }).catch(function () {
        status.textContent = text.broken;
      });
    }

    groups.forEach(function (g) {
      g.more.addEventListener("click", function () { showMore(g); });
      arrowKeys(g.list, input, null, pageLinks);
      // Reaching the end of a list loads more by itself; the button stays for keyboards.
      if ("IntersectionObserver" in window) {
        new IntersectionObserver(function (entries) {
          if (entries.some(function (e) { return e.isIntersecting; }) && !g.more.hidden) { showMore(g); }
        }, { rootMargin: "0px 0px 400px 0px" }).observe(g.more);
      }
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
    input.addEventListener("keydown", function (e) {
      if (e.isComposing || e.keyCode === 229) { return; }
      if (e.key === "ArrowDown") {
        var first = pageLinks()[0];
        if (first) { e.preventDefault(); first.focus(); }
      }
    });
    filters.addEventListener("change", run);
    filters.addEventListener("reset", function () { setTimeout(run, 0); });
    filters.addEventListener("submit", function (e) { e.preventDefault(); });
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      filters.toggleAttribute("data-open", open);
    });
    fromUrl();
    run();
  }

  function setup() {
    setupHeader();
    setupPage();
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setup); } else { setup(); }
})();
