/* Copy controls for trainers: the link to a section or key figure, and the citations; and the
   theme's ☰ menu made a keyboard control. Everything works without this script too: anchors stay
   links, citations stay selectable, the menu opens on a tap. */
(function () {
  "use strict";

  // The pages under zh-Hant/ are converted by OpenCC at build time; this script is copied as it
  // is, so its interface words come in both scripts here.
  var hant = (document.documentElement.lang || "").indexOf("zh-Hant") === 0;
  var WORDS = {
    hans: { copyLink: "复制链接", copied: "已复制", manual: "请手动复制", menu: "导航菜单", table: "表格，可左右滚动" },
    hant: { copyLink: "複製連結", copied: "已複製", manual: "請手動複製", menu: "導覽選單", table: "表格，可左右捲動" }
  }[hant ? "hant" : "hans"];

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain http (a local preview, an intranet mirror) has no clipboard API.
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  /* A polite live region, visually hidden, so that a screen reader hears "已复制" too: the button
     keeps focus and its name, which a changed text alone would not announce. */
  var announcer = null;
  function announce(text) {
    if (!announcer) {
      announcer = document.createElement("p");
      announcer.setAttribute("aria-live", "polite");
      announcer.className = "cb-announce";
      announcer.style.cssText = "position:absolute;width:1px;height:1px;margin:-1px;padding:0;" +
        "overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0";
      document.body.appendChild(announcer);
    }
    announcer.textContent = "";
    setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function flash(button, text) {
    var before = button.textContent;
    var name = button.getAttribute("aria-label");
    button.textContent = text;
    // While the text reads 已复制, so does the name (visible text and name stay one).
    if (name !== null) { button.setAttribute("aria-label", text); }
    button.classList.add("cb-copied");
    announce(text);
    setTimeout(function () {
      button.textContent = before;
      if (name !== null) { button.setAttribute("aria-label", name); }
      button.classList.remove("cb-copied");
    }, 1600);
  }

  /* A case page gathers its sharing tools in one panel (分享与引用): the address, the citations,
     and one picker for the link to any section or key figure, in place of a button in every
     heading (which a screen reader read as part of the heading). Without this script the picker
     stays hidden and each heading's ¶ anchor is the section's link. */
  function copyButtons() {
    var content = document.querySelector(".md-content");
    if (!content) { return; }
    var picker = content.querySelector("[data-cb-section-picker]");
    if (picker) { picker.hidden = false; }
    content.addEventListener("click", function (event) {
      var target = event.target;
      if (!(target instanceof HTMLElement)) { return; }
      if (target.hasAttribute("data-cb-copy-section")) {
        var select = content.querySelector("[data-cb-section-select]");
        var url = location.origin + location.pathname + "#" + encodeURIComponent(select.value);
        copyText(url).then(function () { flash(target, WORDS.copied); }, function () { flash(target, WORDS.manual); });
        return;
      }
      if (target.hasAttribute("data-cb-copy")) {
        var holder = target.closest(".cb-copyable");
        var text = holder ? holder.querySelector(".cb-copy-text").textContent : "";
        copyText(text).then(function () { flash(target, WORDS.copied); }, function () { flash(target, WORDS.manual); });
      }
    });
  }

  /* Material's ☰ is a <label> for a hidden checkbox: a tap opens the drawer, but it has no name,
     no state, and Tab passes it by, while the closed drawer's links, off screen, are Tab stops.
     Here it becomes a named button that Tab reaches, Enter and Space toggle, and Escape closes,
     focus returning to it; the closed drawer is inert where it is a drawer (below Material's
     76.25em, where the ☰ shows; above it the same element is the visible side navigation). */
  /* Material's ☰ is a <label> for its drawer checkbox: no name, no Tab stop, and a label may not
     take role="button" (ARIA in HTML). With scripts, a real <button> takes its place: named,
     in the Tab order, saying whether the drawer is open, moving focus into the drawer when the
     keyboard opens it and back when Escape closes it. Without scripts the label still works. */
  function menuButton() {
    var toggle = document.getElementById("__drawer");
    var label = document.querySelector('.md-header label.md-header__button[for="__drawer"]');
    if (!toggle || !label) { return; }
    var drawer = document.querySelector(".md-sidebar--primary");
    var button = document.createElement("button");
    button.type = "button";
    button.className = label.className + " cb-menu-button";
    button.setAttribute("data-cb-menu", "");
    button.setAttribute("aria-label", WORDS.menu);
    button.innerHTML = label.innerHTML;  // Material's own icon (an inline SVG of the theme)
    if (drawer) {
      drawer.id = drawer.id || "cb-drawer";
      button.setAttribute("aria-controls", drawer.id);
    }
    label.replaceWith(button);
    var wide = window.matchMedia("(min-width: 76.25em)");
    function sync() {
      button.setAttribute("aria-expanded", toggle.checked ? "true" : "false");
      if (drawer) { drawer.inert = !wide.matches && !toggle.checked; }
    }
    sync();
    toggle.addEventListener("change", sync);
    if (wide.addEventListener) { wide.addEventListener("change", sync); }
    button.addEventListener("click", function (e) {
      toggle.click();  // toggles the checkbox and fires its change event, which Material watches
      // A click by keyboard (Enter, Space) has no pointer position: focus goes into the drawer.
      if (e.detail === 0 && toggle.checked && drawer) {
        var first = drawer.querySelector("a[href], label[tabindex], input:not([type=checkbox])");
        if (first) { first.focus(); }
      }
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && toggle.checked) {
        toggle.click();
        button.focus();
      }
    });
  }

  /* Wide tables scroll sideways inside Material's wrapper on a phone: a keyboard reader can only
     scroll what takes focus (WCAG 2.1.1), so a wrapper that overflows becomes a named Tab stop,
     as Material already does for code blocks. Checked again when the width changes. */
  function scrollableTables() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", WORDS.table);
      } else if (wrap.getAttribute("aria-label") === WORDS.table) {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }

  /* Markdown task lists ("- [ ]") draw a disabled checkbox with no label: named by its item, a
     screen reader says which point is not yet done. */
  function taskLists() {
    document.querySelectorAll(".task-list-item > input[type=checkbox]:not([aria-label])").forEach(function (box) {
      var item = box.parentNode.cloneNode(true);
      item.querySelectorAll("ul, ol").forEach(function (nested) { nested.remove(); });
      box.setAttribute("aria-label", item.textContent.trim().slice(0, 200));
    });
  }

  function setup() {
    copyButtons();
    menuButton();
    taskLists();
    scrollableTables();
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(scrollableTables, 200);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
