/* Lotse: small progressive enhancements.  No inline scripts anywhere (strict CSP). */
(function () {
  "use strict";
  // Auto-submit filter forms marked data-autosubmit when a checkbox/select changes
  // (htmx handles the request when it is loaded; plain submit otherwise).
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && !window.htmx) { form.requestSubmit(); }
  });
  // Move focus to the results after an htmx swap so keyboard and screen-reader users notice.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.hasAttribute("data-focus-after-swap")) {
      var status = target.querySelector("[data-result-count]");
      if (status) { status.setAttribute("tabindex", "-1"); }
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
