/* Filters on the browse page (案例库). The page lists every case without this script; with it,
   the checked values narrow the list (any value within a group, every group at once), each
   value shows how many cases it would leave, and the choice lives in the URL to be shared. */
(function () {
  "use strict";

  function setup() {
    var form = document.querySelector("form[data-cb-browse]");
    if (!form) { return; }
    var list = document.querySelector(".cb-browse__list");
    var status = document.querySelector(".cb-browse__status");
    var cards = Array.prototype.slice.call(list.children);
    // The page lists the newest first; titles for the other order are read once.
    var rank = new Map(cards.map(function (card, i) { return [card, i]; }));
    var titles = new Map(cards.map(function (card) {
      return [card, card.querySelector(".cb-browse__title").textContent];
    }));
    var facets = Array.prototype.map.call(form.querySelectorAll("fieldset[data-facet]"), function (f) {
      return f.getAttribute("data-facet");
    });
    // This script is copied to zh-Hant/ unconverted: its words in both scripts.
    var hant = (document.documentElement.lang || "").indexOf("zh-Hant") === 0;
    var WORDS = {
      hans: { all: "共 ", some: "筛选出 ", cases: " 个案例" },
      hant: { all: "共 ", some: "篩選出 ", cases: " 個案例" }
    }[hant ? "hant" : "hans"];
    form.hidden = false;

    function values(card, facet) {
      var v = card.getAttribute("data-" + facet);
      return v ? v.split(" ") : [];
    }

    function chosen() {
      var out = {};
      facets.forEach(function (facet) {
        out[facet] = Array.prototype.filter.call(form.elements[facet] ? form.querySelectorAll('input[name="' + facet + '"]') : [],
          function (i) { return i.checked; }).map(function (i) { return i.value; });
      });
      return out;
    }

    function matches(card, picked, skip) {
      return facets.every(function (facet) {
        if (facet === skip || !picked[facet].length) { return true; }
        var have = values(card, facet);
        return picked[facet].some(function (v) { return have.indexOf(v) >= 0; });
      });
    }

    function apply(push) {
      var picked = chosen();
      var shown = 0;
      cards.forEach(function (card) {
        var ok = matches(card, picked, null);
        card.hidden = !ok;
        if (ok) { shown++; }
      });
      // Each value's count: the cases it would leave, given the other groups' choices.
      facets.forEach(function (facet) {
        form.querySelectorAll('input[name="' + facet + '"]').forEach(function (input) {
          var n = cards.filter(function (card) {
            return matches(card, picked, facet) && values(card, facet).indexOf(input.value) >= 0;
          }).length;
          var label = input.closest("label");
          label.querySelector("[data-count]").textContent = n;
          label.classList.toggle("cb-facet__option--empty", n === 0 && !input.checked);
        });
      });
      var sort = form.elements.sort.value;
      var sorted = cards.slice().sort(function (a, b) {
        if (sort === "title") { return titles.get(a).localeCompare(titles.get(b), "zh"); }
        return rank.get(a) - rank.get(b);
      });
      sorted.forEach(function (card) { list.appendChild(card); });
      var total = status.getAttribute("data-total");
      status.textContent = shown === +total
        ? WORDS.all + total + WORDS.cases
        : WORDS.some + shown + " / " + total + WORDS.cases;
      var params = new URLSearchParams();
      facets.forEach(function (facet) { if (picked[facet].length) { params.set(facet, picked[facet].join(",")); } });
      if (sort !== "newest") { params.set("sort", sort); }
      var query = params.toString();
      var url = location.pathname + (query ? "?" + query : "") + location.hash;
      if (push) { history.replaceState(null, "", url); }
    }

    function load() {
      var params = new URLSearchParams(location.search);
      facets.forEach(function (facet) {
        var wanted = (params.get(facet) || "").split(",");
        form.querySelectorAll('input[name="' + facet + '"]').forEach(function (input) {
          input.checked = wanted.indexOf(input.value) >= 0;
        });
      });
      form.elements.sort.value = params.get("sort") === "title" ? "title" : "newest";
    }

    form.addEventListener("change", function () { apply(true); });
    form.addEventListener("reset", function () { setTimeout(function () { apply(true); }, 0); });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    load();
    apply(false);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setup); } else { setup(); }
})();
