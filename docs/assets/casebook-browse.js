/* The browse page (案例库). Its HTML holds the newest cards only; the rest wait in JSON files
   (the list's data-chunks) that this script loads when the reader reaches the end of the list
   (加载更多, or the button scrolling into view) or uses a filter or the title order: then every
   file is loaded, so that the list and each value's count cover every case. Checked values
   narrow the list (any value within a group, every group at once) and the choice lives in the
   URL, to be shared. Without this script the page is a plain list with page links. */
(function () {
  "use strict";

  var STEP = 100; // cards added at each 加载更多, as many as the page's HTML holds

  function setup() {
    var form = document.querySelector("form[data-cb-browse]");
    if (!form) { return; }
    var list = document.querySelector(".cb-browse__list");
    var status = document.querySelector(".cb-browse__status");
    var toggle = document.querySelector(".cb-browse__toggle");
    var more = document.querySelector("[data-cb-more]");
    var pager = document.querySelector(".cb-browse__pager");
    var total = +status.getAttribute("data-total");
    var facets = Array.prototype.map.call(form.querySelectorAll("fieldset[data-facet]"), function (f) {
      return f.getAttribute("data-facet");
    });
    // This script is copied to zh-Hant/ unconverted: its words in both scripts.
    var hant = (document.documentElement.lang || "").indexOf("zh-Hant") === 0;
    var WORDS = {
      hans: { add: "加入清单", all: "共 ", some: "筛选出 ", cases: " 个案例", loading: "正在载入全部案例……",
        failed: "有些案例没能载入，请刷新页面再试，或用下面的分页链接。" },
      hant: { add: "加入清單", all: "共 ", some: "篩選出 ", cases: " 個案例", loading: "正在載入全部案例……",
        failed: "有些案例沒能載入，請重新整理頁面再試，或用下面的分頁連結。" }
    }[hant ? "hant" : "hans"];
    var collator = new Intl.Collator("zh");

    // Every case known so far, newest first: the page's own cards, then each loaded file's.
    var base = Array.prototype.map.call(list.children, function (el) {
      var f = {};
      facets.forEach(function (facet) {
        var v = el.getAttribute("data-" + facet);
        f[facet] = v ? v.split(" ") : [];
      });
      return { title: el.querySelector(".cb-browse__title").textContent, facets: f, el: el };
    });
    var urls = (list.getAttribute("data-chunks") || "").split(" ").filter(Boolean);
    var loaded = urls.map(function () { return null; }); // each file's cases once it has arrived
    var pending = urls.map(function () { return null; }); // each file's request, made once
    var limit = STEP;
    var failed = false;

    function fetchChunk(i) {
      if (!pending[i]) {
        pending[i] = fetch(urls[i]).then(function (r) {
          if (!r.ok) { throw new Error(urls[i] + ": " + r.status); }
          return r.json();
        }).then(function (data) {
          loaded[i] = data.cases.map(function (c) {
            var f = {};
            facets.forEach(function (facet) { f[facet] = (c.facets && c.facets[facet]) || []; });
            return { title: c.title, href: c.href, meta: c.meta, figure: c.figure, facets: f, el: null };
          });
        });
        pending[i].catch(function () { pending[i] = null; }); // a later attempt may succeed
      }
      return pending[i];
    }

    function known() {
      var out = base.slice();
      for (var i = 0; i < loaded.length && loaded[i]; i++) { out = out.concat(loaded[i]); }
      return out;
    }

    function complete() { return loaded.every(Boolean); }

    // A card as the server draws it (see browse.html), from text only: record text never
    // becomes markup.
    function card(c) {
      if (c.el) { return c.el; }
      var li = document.createElement("li");
      li.className = "cb-browse__card";
      var a = document.createElement("a");
      a.className = "cb-browse__title";
      a.setAttribute("href", c.href);
      a.textContent = c.title;
      li.appendChild(a);
      var meta = document.createElement("span");
      meta.className = "cb-card-meta";
      meta.textContent = c.meta || "";
      li.appendChild(meta);
      if (c.figure) {
        var fig = document.createElement("span");
        fig.className = "cb-card-fig";
        var strong = document.createElement("strong");
        strong.textContent = c.figure[0];
        fig.appendChild(strong);
        fig.appendChild(document.createTextNode(" " + c.figure[1]));
        li.appendChild(fig);
      }
      // 加入清单, as on the server's cards; assets/casebook-basket.js does the rest.
      var add = document.createElement("button");
      add.type = "button";
      add.className = "cb-button cb-basket-add__button";
      add.setAttribute("data-cb-basket-add", c.href.replace(/\/$/, "").split("/").pop());
      add.setAttribute("aria-label", WORDS.add + "：" + c.title);
      add.textContent = WORDS.add;
      li.appendChild(add);
      c.el = li;
      return li;
    }

    function inputs(facet) { return form.querySelectorAll('input[name="' + facet + '"]'); }

    function chosen() {
      var out = {};
      facets.forEach(function (facet) {
        out[facet] = Array.prototype.filter.call(inputs(facet), function (i) { return i.checked; })
          .map(function (i) { return i.value; });
      });
      return out;
    }

    function narrowed(picked) {
      return facets.some(function (facet) { return picked[facet].length > 0; });
    }

    function matches(c, picked, skip) {
      return facets.every(function (facet) {
        if (facet === skip || !picked[facet].length) { return true; }
        var have = c.facets[facet];
        return picked[facet].some(function (v) { return have.indexOf(v) >= 0; });
      });
    }

    // Each value's count: the cases it would leave, given the other groups' choices. The page's
    // HTML carries the counts over every case, right as long as nothing is checked.
    function recount(all, picked) {
      facets.forEach(function (facet) {
        var counts = {};
        all.forEach(function (c) {
          if (!matches(c, picked, facet)) { return; }
          c.facets[facet].forEach(function (v) { counts[v] = (counts[v] || 0) + 1; });
        });
        inputs(facet).forEach(function (input) {
          var n = counts[input.value] || 0;
          var label = input.closest("label");
          label.querySelector("[data-count]").textContent = n;
          label.classList.toggle("cb-facet__option--empty", n === 0 && !input.checked);
        });
      });
    }

    function say(text) { if (status.textContent !== text) { status.textContent = text; } }

    function render(push) {
      var picked = chosen();
      var sort = form.elements.sort.value;
      var all = known();
      var hits = all.filter(function (c) { return matches(c, picked, null); });
      if (sort === "title") {
        hits.sort(function (a, b) { return collator.compare(a.title, b.title); }); // stable: newest first on ties
      }
      var shown = hits.slice(0, limit);
      // Touch the list only when it changes: the first render leaves the page's own cards be.
      var same = shown.length === list.children.length && shown.every(function (c, i) {
        return c.el === list.children[i];
      });
      if (!same) {
        var fragment = document.createDocumentFragment();
        shown.forEach(function (c) { fragment.appendChild(card(c)); });
        list.textContent = "";
        list.appendChild(fragment);
      }
      var whole = complete();
      if (whole) { recount(all, picked); }
      var found = whole ? hits.length : total; // not yet complete only while nothing narrows the list
      if (failed) {
        say(WORDS.failed);
      } else if (!whole && (narrowed(picked) || sort !== "newest")) {
        say(WORDS.loading);
      } else {
        say(found === total ? WORDS.all + total + WORDS.cases : WORDS.some + found + " / " + total + WORDS.cases);
      }
      if (more) { more.hidden = shown.length >= found; }
      var active = facets.reduce(function (sum, facet) { return sum + picked[facet].length; }, 0);
      toggle.querySelector("[data-active]").textContent = active ? "（" + active + "）" : "";
      if (push) {
        var params = new URLSearchParams();
        facets.forEach(function (facet) { if (picked[facet].length) { params.set(facet, picked[facet].join(",")); } });
        if (sort !== "newest") { params.set("sort", sort); }
        var query = params.toString();
        history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
      }
    }

    function fail() {
      failed = true;
      if (pager) { pager.classList.add("cb-browse__pager--shown"); } // the links still reach every case
      render(false);
    }

    // A filter or the title order needs every case: load every file, then draw.
    function update(push) {
      var picked = chosen();
      if (complete() || (!narrowed(picked) && form.elements.sort.value === "newest")) {
        render(push);
        return;
      }
      render(push); // says 正在载入 meanwhile
      Promise.all(urls.map(function (u, i) { return fetchChunk(i); })).then(function () {
        failed = false;
        render(false);
      }, fail);
    }

    function showMore() {
      limit += STEP;
      var have = known().length;
      var next = loaded.indexOf(null);
      if (have < limit && next >= 0 && !(narrowed(chosen()) || form.elements.sort.value !== "newest")) {
        fetchChunk(next).then(function () { failed = false; render(false); }, fail);
      } else {
        render(false);
      }
    }

    function load() {
      var params = new URLSearchParams(location.search);
      facets.forEach(function (facet) {
        var wanted = (params.get(facet) || "").split(",");
        inputs(facet).forEach(function (input) { input.checked = wanted.indexOf(input.value) >= 0; });
      });
      form.elements.sort.value = params.get("sort") === "title" ? "title" : "newest";
    }

    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      form.toggleAttribute("data-open", open);
    });
    form.addEventListener("change", function () { limit = STEP; update(true); });
    form.addEventListener("reset", function () { setTimeout(function () { limit = STEP; update(true); }, 0); });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    if (more) {
      more.addEventListener("click", showMore);
      // Reaching the end of the list loads more by itself; the button stays for keyboards.
      if ("IntersectionObserver" in window) {
        new IntersectionObserver(function (entries) {
          if (entries.some(function (e) { return e.isIntersecting; }) && !more.hidden) { showMore(); }
        }, { rootMargin: "0px 0px 600px 0px" }).observe(more);
      }
    }
    load();
    update(false);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setup); } else { setup(); }
})();
