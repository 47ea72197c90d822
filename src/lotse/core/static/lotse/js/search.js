/* Lotse search boxes: keyboard support for the autocomplete listbox (ARIA combobox).
   htmx fetches the suggestions (hx-get on the input); this file only moves the
   active option, opens/closes the list and follows a chosen suggestion. */
(function () {
  "use strict";
  function listFor(input) {
    return document.getElementById(input.getAttribute("aria-controls"));
  }
  function options(list) {
    return list ? Array.prototype.slice.call(list.querySelectorAll("[role=option]")) : [];
  }
  function setOpen(input, open) {
    var list = listFor(input);
    if (!list) { return; }
    open = open && options(list).length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) { input.removeAttribute("aria-activedescendant"); }
  }
  function activate(input, index) {
    var items = options(listFor(input));
    items.forEach(function (item, i) { item.setAttribute("aria-selected", i === index ? "true" : "false"); });
    if (items[index]) {
      input.setAttribute("aria-activedescendant", items[index].id);
      items[index].scrollIntoView({ block: "nearest" });
    }
  }
  function activeIndex(input) {
    var id = input.getAttribute("aria-activedescendant");
    return options(listFor(input)).findIndex(function (item) { return item.id === id; });
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target) { return; }
    var input = document.querySelector("[aria-controls='" + target.id + "']");
    if (input && input.hasAttribute("data-suggest")) {
      setOpen(input, document.activeElement === input && input.value.trim() !== "");
    }
  });
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.hasAttribute || !input.hasAttribute("data-suggest")) { return; }
    var items = options(listFor(input));
    var index = activeIndex(input);
    if (event.key === "ArrowDown" && items.length) {
      event.preventDefault();
      setOpen(input, true);
      activate(input, (index + 1) % items.length);
    } else if (event.key === "ArrowUp" && items.length) {
      event.preventDefault();
      setOpen(input, true);
      activate(input, index <= 0 ? items.length - 1 : index - 1);
    } else if (event.key === "Escape") {
      setOpen(input, false);
    } else if (event.key === "Enter" && index >= 0 && input.getAttribute("aria-expanded") === "true") {
      var link = items[index].querySelector("a");
      if (link) { event.preventDefault(); window.location.assign(link.href); }
    }
  });
  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (input.hasAttribute && input.hasAttribute("data-suggest")) {
      // Let a click on a suggestion land before the list closes.
      window.setTimeout(function () { setOpen(input, false); }, 150);
    }
  });
})();
