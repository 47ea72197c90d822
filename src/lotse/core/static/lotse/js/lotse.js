/* Lotse: small progressive enhancements.  No inline scripts anywhere (strict CSP). */
(function () {
  "use strict";
  // Auto-submit filter forms marked data-autosubmit when a checkbox/select changes
  // (htmx handles the request when it is loaded; plain submit otherwise).
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && !window.htmx) { form.requestSubmit(); }
  });
  // One polite live region that lives outside any swapped content: a region that is
  // itself replaced by a swap is not announced reliably by screen readers.
  function announcer() {
    var region = document.getElementById("lotse-announcer");
    if (!region && document.body) {
      region = document.createElement("div");
      region.id = "lotse-announcer";
      region.className = "visually-hidden";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    return region;
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", announcer);
  } else {
    announcer();
  }
  // After htmx updates results, announce the new count (its own text, without links)
  // and leave keyboard focus where it was: htmx keeps focus on an element with the same id.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.hasAttribute("data-focus-after-swap")) {
      var status = target.querySelector("[data-result-count]");
      var region = announcer();
      if (status && region) {
        var text = "";
        status.childNodes.forEach(function (node) {
          if (node.nodeType === Node.TEXT_NODE) { text += node.textContent; }
        });
        region.textContent = text.replace(/[\s·]+$/, "").replace(/\s+/g, " ").trim();
      }
    }
  });
  // Confirm buttons: <button data-confirm="...">
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
