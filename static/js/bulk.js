// Bulk edit in the library: tick documents (shift-click ticks the range from the last one
// ticked), "select all N matching this filter", and the value input that fits the action.
// Without JavaScript the checkboxes and the form still post.
"use strict";

(function () {
  const form = document.getElementById("bulk-form");
  if (!form) return;
  const boxes = () => Array.from(document.querySelectorAll("input.bulk-select"));
  const count = document.getElementById("bulk-count");
  const all = document.getElementById("bulk-all");
  const allButton = document.getElementById("bulk-select-all");
  const action = document.getElementById("bulk-action");
  let last = null;
  // Strings in the page's language, from Django's JavaScript catalog (/jsi18n/, loaded first).
  const ngettext = window.ngettext || ((one, many, n) => (n === 1 ? one : many));
  const interpolate = window.interpolate || ((text, values) => text.replace(/%s/g, () => values.shift()));

  function show() {
    if (all.value === "1") {
      const total = Number(allButton.dataset.total);
      count.textContent = interpolate(ngettext("All %s matching selected", "All %s matching selected", total), [total]);
    } else {
      const ticked = boxes().filter((b) => b.checked).length;
      count.textContent = interpolate(ngettext("%s selected", "%s selected", ticked), [ticked]);
    }
  }

  function showValue() {
    for (const span of form.querySelectorAll(".bulk-value")) {
      span.hidden = !span.dataset.for.split(" ").includes(action.value);
    }
  }

  document.addEventListener("click", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.classList.contains("bulk-select")) return;
    const list = boxes();
    if (event.shiftKey && last !== null) {
      const from = list.indexOf(last);
      const to = list.indexOf(box);
      const [a, b] = from < to ? [from, to] : [to, from];
      for (const other of list.slice(a, b + 1)) other.checked = box.checked;
    }
    last = box;
    all.value = "0";
    show();
  });
  document.getElementById("bulk-select-page").addEventListener("click", () => {
    for (const box of boxes()) box.checked = true;
    all.value = "0";
    show();
  });
  if (allButton) {
    allButton.addEventListener("click", () => {
      for (const box of boxes()) box.checked = true;
      all.value = "1";
      show();
    });
  }
  document.getElementById("bulk-clear").addEventListener("click", () => {
    for (const box of boxes()) box.checked = false;
    all.value = "0";
    show();
  });
  action.addEventListener("change", showValue);
  showValue();
  show();
})();
