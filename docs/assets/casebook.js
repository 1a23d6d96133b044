/* Copy controls for trainers: a link to each section and key figure, and the citations.
   Everything works without this script too: anchors stay links, citations stay selectable. */
(function () {
  "use strict";

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

  function flash(button, text) {
    var before = button.textContent;
    button.textContent = text;
    button.classList.add("cb-copied");
    setTimeout(function () { button.textContent = before; button.classList.remove("cb-copied"); }, 1600);
  }

  function linkButton(id, label) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "cb-copy-link";
    b.textContent = "复制链接";
    b.setAttribute("aria-label", "复制“" + label + "”的链接");
    b.setAttribute("data-cb-link", id);
    return b;
  }

  function setup() {
    var content = document.querySelector(".md-content");
    if (!content) { return; }
    content.querySelectorAll("h2[id], h3[id]").forEach(function (h) {
      if (h.closest(".cb-print-case")) { return; }
      h.appendChild(linkButton(h.id, h.textContent.replace("¶", "").trim()));
    });
    content.querySelectorAll(".cb-fig[id]").forEach(function (fig) {
      var label = fig.querySelector(".cb-fig-label");
      fig.appendChild(linkButton(fig.id, label ? label.textContent : fig.id));
    });
    content.addEventListener("click", function (event) {
      var target = event.target;
      if (!(target instanceof HTMLElement)) { return; }
      var id = target.getAttribute("data-cb-link");
      if (id !== null) {
        var url = location.origin + location.pathname + "#" + encodeURIComponent(id);
        copyText(url).then(function () { flash(target, "已复制"); }, function () { flash(target, "请手动复制"); });
        return;
      }
      if (target.hasAttribute("data-cb-copy")) {
        var holder = target.closest(".cb-copyable");
        var text = holder ? holder.querySelector(".cb-copy-text").textContent : "";
        copyText(text).then(function () { flash(target, "已复制"); }, function () { flash(target, "请手动复制"); });
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
