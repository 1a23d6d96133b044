/* 我的清单 (the lesson basket) and 案例对比, without a login: the list of case ids lives in this
   device's localStorage and in the basket page's address (?c=id1,id2), so that the address alone
   restores the list on another phone. Three parts:
   - every 加入清单 button (case pages, browse cards, drawn later too) adds or removes its case;
   - the basket page lists the cases from their cards (cases/<id>/card.json), reorders them with
     上移/下移, removes them, shares the link, links their Word and slide files, and builds one
     printable handout of the cases' learner text (their pages without the teaching notes);
   - the comparison page draws two or three cards side by side.
   Only this site's own files are fetched. Record text is drawn with textContent, never as markup;
   the handout copies nodes of the site's own case pages. */
(function () {
  "use strict";

  var KEY = "cb-basket";
  var ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/; // the schema's slug: nothing else reaches a URL
  var MAX = 100; // a basket is a lesson's cases, not the catalogue
  var COMPARE_MAX = 3;
  // This script is copied to zh-Hant/ unconverted: its words in both scripts.
  var hant = (document.documentElement.lang || "").indexOf("zh-Hant") === 0;
  var WORDS = {
    hans: {
      add: "加入清单", remove: "移出清单", added: "已加入清单：", removed: "已移出清单：",
      count: function (n) { return "清单里共 " + n + " 个案例"; }, mine: "我的清单",
      mineCount: function (n) { return "我的清单（" + n + "）"; },
      up: "上移", down: "下移", drop: "移出", pick: "对比",
      movedUp: function (t, i) { return "已上移：" + t + "，现在是第 " + i + " 个"; },
      movedDown: function (t, i) { return "已下移：" + t + "，现在是第 " + i + " 个"; },
      missing: "找不到这个案例（编号 ", missingEnd: "），可能已改名或删除",
      loading: "正在载入……", failed: "没能载入，请检查网络后刷新页面",
      shared: function (n) { return "分享的清单：" + n + " 个案例"; },
      restored: function (n) { return "已按分享的链接恢复清单：" + n + " 个案例"; },
      replaced: "已用分享的清单替换你的清单", appended: "已把分享的案例加到你的清单后面",
      compareSome: function (n) { return "对比所选的 " + n + " 个案例"; },
      compareFirst: function (n) { return "对比前 " + n + " 个案例"; },
      compareBar: "对比清单里的案例",
      building: "正在生成讲义……", built: function (n) { return "讲义已生成：" + n + " 个案例，可以打印"; },
      handout: "讲义", handoutFrom: "案例来自", full: "完整案例：",
      compareNone: "请在网址里给出两三个案例，或从我的清单选择要对比的案例。",
      compareShown: function (n) { return "正在对比 " + n + " 个案例"; },
      compareTooMany: "最多对比 3 个案例，只显示前 3 个。",
      rows: { place: "地点", pillars: "框架", policies: "政策与工程", figures: "关键数字",
        practice: "做法（开头）", results: "成效（开头）", sources: "来源" },
      none: "无", addTo: "加入清单", fullCase: "阅读全文"
    },
    hant: {
      add: "加入清單", remove: "移出清單", added: "已加入清單：", removed: "已移出清單：",
      count: function (n) { return "清單裡共 " + n + " 個案例"; }, mine: "我的清單",
      mineCount: function (n) { return "我的清單（" + n + "）"; },
      up: "上移", down: "下移", drop: "移出", pick: "對比",
      movedUp: function (t, i) { return "已上移：" + t + "，現在是第 " + i + " 個"; },
      movedDown: function (t, i) { return "已下移：" + t + "，現在是第 " + i + " 個"; },
      missing: "找不到這個案例（編號 ", missingEnd: "），可能已改名或刪除",
      loading: "正在載入……", failed: "沒能載入，請檢查網路後重新整理頁面",
      shared: function (n) { return "分享的清單：" + n + " 個案例"; },
      restored: function (n) { return "已按分享的連結恢復清單：" + n + " 個案例"; },
      replaced: "已用分享的清單替換你的清單", appended: "已把分享的案例加到你的清單後面",
      compareSome: function (n) { return "對比所選的 " + n + " 個案例"; },
      compareFirst: function (n) { return "對比前 " + n + " 個案例"; },
      compareBar: "對比清單裡的案例",
      building: "正在產生講義……", built: function (n) { return "講義已產生：" + n + " 個案例，可以列印"; },
      handout: "講義", handoutFrom: "案例來自", full: "完整案例：",
      compareNone: "請在網址裡給出兩三個案例，或從我的清單選擇要對比的案例。",
      compareShown: function (n) { return "正在對比 " + n + " 個案例"; },
      compareTooMany: "最多對比 3 個案例，只顯示前 3 個。",
      rows: { place: "地點", pillars: "框架", policies: "政策與工程", figures: "關鍵數字",
        practice: "做法（開頭）", results: "成效（開頭）", sources: "來源" },
      none: "無", addTo: "加入清單", fullCase: "閱讀全文"
    }
  }[hant ? "hant" : "hans"];

  // -- the list on this device --------------------------------------------------------------
  function clean(ids) {
    var seen = {};
    return ids.filter(function (id) {
      if (typeof id !== "string" || !ID.test(id) || seen[id]) { return false; }
      seen[id] = true;
      return true;
    }).slice(0, MAX);
  }

  function stored() {
    try { return clean(JSON.parse(localStorage.getItem(KEY) || "[]")); } catch (e) { return []; }
  }

  function store(ids) {
    try { localStorage.setItem(KEY, JSON.stringify(clean(ids))); } catch (e) { /* private mode: the URL still holds it */ }
  }

  function fromQuery() {
    var c = new URLSearchParams(location.search).get("c");
    return c === null ? null : clean(c.split(","));
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  // A change said once in a live region: emptied first, so that the same words are said again.
  function say(region, text) {
    if (!region) { return; }
    region.textContent = "";
    setTimeout(function () { region.textContent = text; }, 50);
  }

  // -- 加入清单 anywhere --------------------------------------------------------------------
  function titleOf(button) {
    if (button.hasAttribute("data-title")) { return button.getAttribute("data-title"); }
    var card = button.closest(".cb-browse__card");
    if (card) { return card.querySelector(".cb-browse__title").textContent; }
    var h1 = document.querySelector(".md-content h1");
    return h1 ? h1.textContent.replace("¶", "") : "";
  }

  function label(button, ids) {
    var inside = ids.indexOf(button.getAttribute("data-cb-basket-add")) >= 0;
    var word = inside ? WORDS.remove : WORDS.add;
    if (button.textContent !== word) { button.textContent = word; }
    // Cards name their case (many buttons on one page); the name starts with the visible word.
    if (button.hasAttribute("aria-label")) { button.setAttribute("aria-label", word + "：" + titleOf(button)); }
  }

  function syncAll(root) {
    var ids = stored();
    (root || document).querySelectorAll("[data-cb-basket-add]").forEach(function (b) { label(b, ids); });
    document.querySelectorAll("[data-cb-basket-count]").forEach(function (a) {
      a.textContent = ids.length ? WORDS.mineCount(ids.length) : WORDS.mine;
    });
    document.querySelectorAll("[data-cb-basket-bar-compare]").forEach(function (a) {
      a.hidden = ids.length < 2;
      a.setAttribute("href", a.getAttribute("data-base") + "?c=" + ids.slice(0, COMPARE_MAX).join(","));
    });
  }

  function addButtons() {
    document.addEventListener("click", function (event) {
      var button = event.target instanceof Element && event.target.closest("[data-cb-basket-add]");
      if (!button) { return; }
      var id = button.getAttribute("data-cb-basket-add");
      var ids = stored();
      var at = ids.indexOf(id);
      var title = titleOf(button);
      if (at >= 0) { ids.splice(at, 1); } else { ids.push(id); }
      store(ids);
      syncAll();
      var region = button.closest(".cb-basket-add") ? button.closest(".cb-basket-add").querySelector("[data-cb-basket-status]")
        : document.querySelector("[data-cb-basket-status]");
      say(region, (at >= 0 ? WORDS.removed : WORDS.added) + title + "。" + WORDS.count(stored().length));
    });
    // The browse script draws more cards later: name their buttons as they appear.
    var list = document.querySelector(".cb-browse__list");
    if (list && "MutationObserver" in window) {
      new MutationObserver(function () { syncAll(list); }).observe(list, { childList: true });
    }
    // Another tab changed the list.
    window.addEventListener("storage", function (e) { if (e.key === KEY) { syncAll(); } });
    syncAll();
  }

  // -- cards --------------------------------------------------------------------------------
  var cards = {};
  function card(base, id) {
    if (!cards[id]) {
      cards[id] = fetch(base + id + "/card.json").then(function (r) {
        if (r.status === 404) { return null; }
        if (!r.ok) { throw new Error(id + ": " + r.status); }
        return r.json();
      });
    }
    return cards[id];
  }

  function metaLine(c) {
    return [c.place, c.pillars.join("、"), c.year].filter(Boolean).join(" · ");
  }

  // -- the basket page ----------------------------------------------------------------------
  function basketPage(root) {
    var base = root.getAttribute("data-cases");
    var compareBase = root.getAttribute("data-compare");
    var list = root.querySelector("[data-cb-basket-list]");
    var status = root.querySelector("[data-cb-basket-status]");
    var empty = root.querySelector("[data-cb-basket-empty]");
    var tools = root.querySelector("[data-cb-basket-tools]");
    var sharedBox = root.querySelector("[data-cb-basket-shared]");
    var link = root.querySelector("[data-cb-basket-link]");
    var compare = root.querySelector("[data-cb-basket-compare]");
    var compareTools = root.querySelector("[data-cb-basket-compare-tools]");
    var handout = root.querySelector("[data-cb-basket-handout]");
    var build = root.querySelector("[data-cb-basket-build]");
    var printButton = root.querySelector("[data-cb-basket-print]");
    var picked = {};

    // A shared link: the list it names. Saved at once on a device with no list of its own (or the
    // same one); otherwise shown as it is, until the reader says what to do with it.
    var query = fromQuery();
    var shared = null;
    var own = stored();
    if (query !== null && query.join(",") !== own.join(",")) {
      if (own.length === 0) {
        store(query);
        say(status, WORDS.restored(query.length));
      } else {
        shared = query;
      }
    }

    function current() { return shared || stored(); }

    function save(ids) {
      if (shared) { return; } // a shared list is not edited until it is saved
      store(ids);
      syncAll();
    }

    function address(ids) {
      return location.origin + location.pathname + (ids.length ? "?c=" + ids.join(",") : "");
    }

    function row(id, i, n) {
      var li = el("li", "cb-basket__item");
      li.setAttribute("data-id", id);
      var title = el("p", "cb-basket__title");
      var a = el("a", "", WORDS.loading);
      a.setAttribute("href", base + id + "/");
      title.appendChild(a);
      li.appendChild(title);
      var meta = el("p", "cb-card-meta");
      li.appendChild(meta);
      var files = el("p", "cb-basket__files");
      li.appendChild(files);
      var controls = el("div", "cb-basket__controls");
      var pick = el("label", "cb-basket__pick");
      var box = el("input");
      box.type = "checkbox";
      box.checked = !!picked[id];
      box.setAttribute("data-pick", id);
      pick.appendChild(box);
      pick.appendChild(el("span", "", WORDS.pick));
      controls.appendChild(pick);
      [["up", WORDS.up, i === 0], ["down", WORDS.down, i === n - 1], ["drop", WORDS.drop, false]].forEach(function (b) {
        var button = el("button", "cb-button cb-basket__move", b[1]);
        button.type = "button";
        button.setAttribute("data-action", b[0]);
        button.disabled = b[2] || !!shared;
        controls.appendChild(button);
      });
      li.appendChild(controls);
      card(base, id).then(function (c) {
        var name = c ? c.title : WORDS.missing + id + WORDS.missingEnd;
        a.textContent = name;
        if (!c) { a.removeAttribute("href"); }
        li.setAttribute("data-title", name);
        controls.querySelectorAll("button").forEach(function (button) {
          button.setAttribute("aria-label", button.textContent + "：" + name);
        });
        box.setAttribute("aria-label", WORDS.pick + "：" + name);
        if (!c) { return; }
        meta.textContent = metaLine(c);
        c.downloads.forEach(function (d, k) {
          if (k) { files.appendChild(document.createTextNode(" · ")); }
          var f = el("a", "", d[0]);
          f.setAttribute("href", base + id + "/" + d[1]);
          f.setAttribute("download", "");
          files.appendChild(f);
        });
        files.hidden = c.downloads.length === 0;
      }, function () { a.textContent = id + "：" + WORDS.failed; });
      return li;
    }

    function updateCompare(ids) {
      var chosen = ids.filter(function (id) { return picked[id]; });
      var use = chosen.length >= 2 ? chosen : ids.slice(0, COMPARE_MAX);
      compare.textContent = chosen.length >= 2 ? WORDS.compareSome(chosen.length) : WORDS.compareFirst(use.length);
      compare.setAttribute("href", compareBase + "?c=" + use.join(","));
      compareTools.hidden = ids.length < 2;
      // No more than three: the other boxes wait until one is cleared.
      list.querySelectorAll("input[data-pick]").forEach(function (b) {
        b.disabled = !b.checked && chosen.length >= COMPARE_MAX;
      });
    }

    function draw(focus) {
      var ids = current();
      list.textContent = "";
      ids.forEach(function (id, i) { list.appendChild(row(id, i, ids.length)); });
      empty.hidden = ids.length > 0;
      tools.hidden = ids.length === 0;
      sharedBox.hidden = !shared;
      if (shared) { sharedBox.querySelector("[data-cb-basket-own]").textContent = String(stored().length); }
      link.textContent = address(ids);
      // The address says what the page shows, so that it can be bookmarked or shared as is.
      history.replaceState(null, "", address(ids) + location.hash);
      updateCompare(ids);
      handout.hidden = true;
      handout.textContent = "";
      printButton.hidden = true;
      if (focus) {
        var item = list.querySelector('li[data-id="' + focus[0] + '"]');
        var target = item && item.querySelector('[data-action="' + focus[1] + '"]');
        if (target && target.disabled) { target = item.querySelector('[data-action="' + (focus[1] === "up" ? "down" : "up") + '"]'); }
        if (!target || target.disabled) { target = item ? item.querySelector('[data-action="drop"]') : null; }
        if (!target) { target = list.querySelector('[data-action="drop"]') || build; }
        target.focus();
      }
    }

    list.addEventListener("change", function (e) {
      var box = e.target;
      if (!box.hasAttribute || !box.hasAttribute("data-pick")) { return; }
      picked[box.getAttribute("data-pick")] = box.checked;
      updateCompare(current());
    });

    list.addEventListener("click", function (e) {
      var button = e.target instanceof Element && e.target.closest("button[data-action]");
      if (!button || button.disabled) { return; }
      var item = button.closest("li");
      var id = item.getAttribute("data-id");
      var name = item.getAttribute("data-title") || id;
      var ids = current().slice();
      var i = ids.indexOf(id);
      var action = button.getAttribute("data-action");
      if (action === "drop") {
        ids.splice(i, 1);
        delete picked[id];
        save(ids);
        var next = ids[Math.min(i, ids.length - 1)];
        draw(next ? [next, "drop"] : null);
        if (!next) { empty.querySelector("a").focus(); }
        say(status, WORDS.removed + name + "。" + WORDS.count(ids.length));
        return;
      }
      var j = action === "up" ? i - 1 : i + 1;
      if (j < 0 || j >= ids.length) { return; }
      ids[i] = ids[j];
      ids[j] = id;
      save(ids);
      draw([id, action]);
      say(status, (action === "up" ? WORDS.movedUp : WORDS.movedDown)(name, j + 1));
    });

    sharedBox.querySelector("[data-cb-basket-replace]").addEventListener("click", function () {
      var ids = shared;
      shared = null;
      save(ids);
      draw(null);
      list.querySelector("button") && list.querySelector("button:not([disabled])").focus();
      say(status, WORDS.replaced + "。" + WORDS.count(ids.length));
    });
    sharedBox.querySelector("[data-cb-basket-append]").addEventListener("click", function () {
      var ids = stored().concat(shared);
      shared = null;
      save(ids);
      draw(null);
      list.querySelector("button:not([disabled])").focus();
      say(status, WORDS.appended + "。" + WORDS.count(stored().length));
    });

    // -- the handout: the learner's part of each case page, in the basket's order ----------------
    function learnerPart(doc, pageUrl, n) {
      var article = doc.querySelector(".md-content article") || doc.querySelector("article");
      var out = el("article", "cb-print-case cb-basket__case");
      if (!article) { return out; }
      var skipping = false;
      for (var node = article.firstElementChild; node; node = node.nextElementSibling) {
        // Everything from 分享与引用 on is for the screen: sharing, related cases, the record.
        if (node.classList.contains("cb-share") || node.querySelector(".cb-share")) { break; }
        if (node.tagName === "H2") { skipping = /^teaching|^guide/.test(node.id || ""); }
        if (skipping || node.matches(".md-content__button, .cb-basket-add, noscript, [data-cb-teacher]")) { continue; }
        out.appendChild(document.importNode(node, true));
      }
      out.querySelectorAll(".headerlink, .cb-basket-add, noscript, [data-cb-teacher]").forEach(function (x) { x.remove(); });
      // Ids made unique on the combined page; links and images made to work from here.
      out.querySelectorAll("[id]").forEach(function (x) { x.id = "c" + n + "-" + x.id; });
      out.querySelectorAll("a[href]").forEach(function (x) {
        var href = x.getAttribute("href");
        x.setAttribute("href", href.charAt(0) === "#" ? "#c" + n + "-" + href.slice(1) : new URL(href, pageUrl).href);
      });
      out.querySelectorAll("img[src]").forEach(function (x) { x.setAttribute("src", new URL(x.getAttribute("src"), pageUrl).href); });
      out.querySelectorAll("[srcset]").forEach(function (x) {
        x.setAttribute("srcset", x.getAttribute("srcset").split(",").map(function (part) {
          var bits = part.trim().split(/\s+/);
          bits[0] = new URL(bits[0], pageUrl).href;
          return bits.join(" ");
        }).join(", "));
      });
      var where = el("p", "cb-basket__from", WORDS.full + new URL(".", pageUrl).href);
      out.appendChild(where);
      return out;
    }

    build.addEventListener("click", function () {
      var ids = current();
      say(status, WORDS.building);
      build.disabled = true;
      Promise.all(ids.map(function (id) {
        var pageUrl = new URL(base + id + "/", location.href).href;
        return fetch(pageUrl).then(function (r) {
          if (!r.ok) { return null; }
          return r.text().then(function (html) { return { html: html, url: pageUrl }; });
        });
      })).then(function (pages) {
        handout.textContent = "";
        var made = 0;
        pages.forEach(function (p, n) {
          if (!p) { return; }
          var doc = new DOMParser().parseFromString(p.html, "text/html");
          handout.appendChild(learnerPart(doc, p.url, n + 1));
          made += 1;
        });
        handout.hidden = false;
        printButton.hidden = false;
        build.disabled = false;
        say(status, WORDS.built(made));
        printButton.focus();
      }, function () {
        build.disabled = false;
        say(status, WORDS.failed);
      });
    });
    printButton.addEventListener("click", function () { window.print(); });

    root.hidden = false;
    draw(null);
    if (shared) { say(status, WORDS.shared(shared.length)); }
  }

  // -- the comparison page ------------------------------------------------------------------
  function comparePage(root) {
    var base = root.getAttribute("data-cases");
    var status = root.querySelector("[data-cb-compare-status]");
    var grid = root.querySelector("[data-cb-compare-grid]");
    var share = root.querySelector("[data-cb-compare-share]");
    var ids = fromQuery() || [];
    root.hidden = false;
    if (ids.length < 2) {
      status.textContent = WORDS.compareNone;
      return;
    }
    var note = ids.length > COMPARE_MAX ? WORDS.compareTooMany : "";
    ids = ids.slice(0, COMPARE_MAX);
    status.textContent = WORDS.loading;
    grid.style.setProperty("--cb-compare-n", String(ids.length));
    share.querySelector("[data-cb-compare-link]").textContent = location.origin + location.pathname + "?c=" + ids.join(",");
    share.hidden = false;

    function list(items, cls) {
      if (!items.length) { return el("p", "", WORDS.none); }
      var ul = el("ul", cls || "");
      items.forEach(function (t) { ul.appendChild(el("li", "", t)); });
      return ul;
    }

    function column(id, c, n) {
      var art = el("article", "cb-compare__case");
      art.setAttribute("aria-labelledby", "cmp-" + n);
      var h = el("h2", "cb-compare__title");
      h.id = "cmp-" + n;
      var a = el("a", "", c ? c.title : WORDS.missing + id + WORDS.missingEnd);
      if (c) { a.setAttribute("href", base + id + "/"); }
      h.appendChild(a);
      art.appendChild(h);
      if (!c) { return art; }
      function part(key, body) {
        var sec = el("div", "cb-compare__row cb-compare__row--" + key);
        sec.appendChild(el("h3", "", WORDS.rows[key]));
        sec.appendChild(body);
        art.appendChild(sec);
      }
      part("place", el("p", "", c.place));
      part("pillars", list(c.pillars));
      part("policies", list(c.policies));
      var figs = el("ul", "cb-compare__figures");
      c.figures.forEach(function (f) {
        var li = el("li");
        li.appendChild(el("strong", "", f[0]));
        li.appendChild(document.createTextNode(" " + f[1]));
        figs.appendChild(li);
      });
      part("figures", c.figures.length ? figs : el("p", "", WORDS.none));
      part("practice", el("p", "", c.practice));
      part("results", el("p", "", c.results));
      part("sources", list(c.sources, "cb-compare__sources"));
      var more = el("p", "cb-compare__more");
      var read = el("a", "", WORDS.fullCase);
      read.setAttribute("href", base + id + "/");
      read.setAttribute("aria-label", WORDS.fullCase + "：" + c.title);
      more.appendChild(read);
      var add = el("button", "cb-button cb-basket-add__button", WORDS.addTo);
      add.type = "button";
      add.setAttribute("data-cb-basket-add", id);
      more.appendChild(add);
      art.appendChild(more);
      return art;
    }

    Promise.all(ids.map(function (id) {
      return card(base, id).catch(function () { return null; });
    })).then(function (found) {
      grid.textContent = "";
      found.forEach(function (c, n) { grid.appendChild(column(ids[n], c, n + 1)); });
      // Several 加入清单 on one page: each names its case, after the visible word.
      grid.querySelectorAll("[data-cb-basket-add]").forEach(function (b) {
        var c = found[ids.indexOf(b.getAttribute("data-cb-basket-add"))];
        b.setAttribute("data-title", c ? c.title : "");
        b.setAttribute("aria-label", b.textContent);
      });
      syncAll(grid);
      status.textContent = WORDS.compareShown(ids.length) + (note ? "。" + note : "");
    });
  }

  function setup() {
    var basket = document.querySelector("[data-cb-basket]");
    if (basket) { basketPage(basket); }
    var compare = document.querySelector("[data-cb-compare]");
    if (compare) { comparePage(compare); }
    addButtons();
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setup); } else { setup(); }
})();
