/* 长辈模式: a switch in the header for larger text, stronger contrast and bigger targets
   (MIIT 2021 age-friendly web norms), remembered on this device. overrides/main.html applies the
   remembered choice before the page is drawn; this adds the switch. */
(function () {
  "use strict";
  var KEY = "cb-large";
  var hant = (document.documentElement.lang || "").indexOf("zh-Hant") === 0;
  var LABEL = hant ? "長輩模式" : "长辈模式";
  var TITLE = hant ? "大字、高對比、大按鈕" : "大字、高对比、大按钮";

  function on() { return document.documentElement.hasAttribute("data-cb-large"); }

  function set(value) {
    if (value) { document.documentElement.setAttribute("data-cb-large", ""); }
    else { document.documentElement.removeAttribute("data-cb-large"); }
    try { localStorage.setItem(KEY, value ? "1" : "0"); } catch (e) { /* private mode: this page only */ }
  }

  function setup() {
    var header = document.querySelector(".md-header__inner");
    if (!header || header.querySelector(".cb-large-toggle")) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "cb-large-toggle";
    button.textContent = LABEL;
    button.title = TITLE;
    button.setAttribute("aria-pressed", on() ? "true" : "false");
    button.addEventListener("click", function () {
      set(!on());
      button.setAttribute("aria-pressed", on() ? "true" : "false");
    });
    // Before the 简/繁 menu, so that both sit together at the right of the header.
    var option = header.querySelector(".md-header__option");
    header.insertBefore(button, option || null);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setup); }
  else { setup(); }
})();
