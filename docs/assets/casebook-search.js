/* Header search on Pagefind. Loads nothing until the reader focuses the box, then only
   Pagefind's own bundle and the site's character map. The index holds the Simplified pages
   only: a query in either script is converted to Simplified (敲門 finds 敲门), and on the
   Traditional pages the results are shown in Traditional and lead to zh-Hant/. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("__config").textContent);
  var hant = (document.documentElement.lang || "").indexOf("zh-Hant") === 0;
  var preview = document.documentElement.hasAttribute("data-cb-preview");  // make serve: no index
  var base = new URL((config.base || ".") + "/", location.href);
  var root = hant ? new URL("../", base) : base;       // the site root, where pagefind/ lives
  // The pages under zh-Hant/ are converted at build time; this script is not, so its words come
  // in both scripts here.
  var text = {
    hans: { placeholder: "搜索案例、地区、做法", none: "没有找到", searching: "搜索中…", results: "个结果", label: "搜索",
      list: "搜索结果", broken: "搜索暂时无法使用", preview: "预览（make serve）不建搜索索引；完整站点用 make build 或 make serve-full。" },
    hant: { placeholder: "搜尋案例、地區、做法", none: "沒有找到", searching: "搜尋中…", results: "個結果", label: "搜尋",
      list: "搜尋結果", broken: "搜尋暫時無法使用", preview: "預覽（make serve）不建搜尋索引；完整網站用 make build 或 make serve-full。" }
  }[hant ? "hant" : "hans"];

  var pagefind = null;
  var maps = null;
  var loading = null;

  function load() {
    if (!loading) {
      var bundle = new URL("pagefind/", root);
      loading = Promise.all([
        import(new URL("pagefind.js", bundle).href),
        fetch(new URL("search-map.json", root).href).then(function (r) { return r.ok ? r.json() : {}; }),
        // A large casebook is indexed in shards; the first bundle lists the others.
        fetch(new URL("shards.json", bundle).href).then(function (r) { return r.ok ? r.json() : []; }),
      ]).then(function (loaded) {
        pagefind = loaded[0];
        maps = loaded[1] || {};
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

  function render(list, results, query) {
    list.setAttribute("data-query", query);  // which query the list answers (tests wait on it)
    if (!results.length) {
      list.innerHTML = '<p class="cb-search__none">' + text.none + "“" + esc(query) + "”</p>";
      return;
    }
    list.innerHTML = results.map(function (r) {
      var meta = [r.meta.place, r.meta.pillar].filter(Boolean).map(esc).join(" · ");
      return '<li class="cb-search__result"><a href="' + esc(href(r.url)) + '">' +
        '<span class="cb-search__title">' + toHant(esc(r.meta.title || r.url)) + "</span>" +
        (meta ? '<span class="cb-search__meta">' + toHant(meta) + "</span>" : "") +
        '<span class="cb-search__excerpt">' + toHant(r.excerpt) + "</span></a></li>";
    }).join("");
  }

  function setup() {
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
      '<p class="cb-search__status" aria-live="polite"></p><ol class="cb-search__results" aria-label="' + text.list +
      '"></ol></div>';
    var anchor = header.querySelector(".md-header__option") || null;
    header.insertBefore(box, anchor);
    var input = box.querySelector(".cb-search__input");
    var status = box.querySelector(".cb-search__status");
    var list = box.querySelector(".cb-search__results");
    var opener = box.querySelector(".cb-search__open");
    var timer = null;
    var serial = 0;
    var openFirst = false;  // Enter came before the results: open the first once they are in

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
      status.textContent = "";
      setOpen(false);
      if (opener.offsetParent !== null) { opener.focus(); } else { input.focus(); }
    }

    function links() { return Array.prototype.slice.call(list.querySelectorAll(".cb-search__result a")); }

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
        var all = links();
        if (all.length) { e.preventDefault(); all[0].focus(); }
        return;
      }
      if (e.key === "Enter") {
        e.preventDefault();
        var answered = list.getAttribute("data-query") === input.value.trim() && links().length;
        if (answered) { links()[0].click(); } else if (input.value.trim()) { openFirst = true; clearTimeout(timer); run(); }
      }
    });
    // Within the results: arrows move from one to the next (Up from the first returns to the box);
    // Enter is the link's own; Escape closes as in the box.
    list.addEventListener("keydown", function (e) {
      var all = links();
      var at = all.indexOf(document.activeElement);
      if (at < 0) { return; }
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        var next = at + (e.key === "ArrowDown" ? 1 : -1);
        if (next < 0) { input.focus(); } else if (next < all.length) { all[next].focus(); }
      } else if (e.key === "Home" || e.key === "End") {
        e.preventDefault();
        all[e.key === "Home" ? 0 : all.length - 1].focus();
      } else if (e.key === "Escape") {
        e.preventDefault();
        close();
      }
    });
    input.addEventListener("input", function () {
      openFirst = false;
      clearTimeout(timer);
      timer = setTimeout(run, 150);
    });

    function run() {
      var query = input.value.trim();
      var mine = ++serial;
      if (!query) { list.innerHTML = ""; status.textContent = ""; return; }
      if (preview) { status.textContent = text.preview; return; }
      status.textContent = text.searching;
      load().then(function () {
        return pagefind.search(toHans(query));
      }).then(function (search) {
        return Promise.all(search.results.slice(0, 8).map(function (r) { return r.data(); })).then(function (data) {
          return { total: search.results.length, data: data };
        });
      }).then(function (found) {
        if (mine !== serial) { return; }
        status.textContent = found.total ? found.total + " " + text.results : "";
        render(list, found.data, query);
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

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setup); } else { setup(); }
})();
