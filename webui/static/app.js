// Small conveniences on top of pages that work without JavaScript.
// - "/" focuses the search box (as on many search sites), unless the user is typing somewhere.
// - Ticking a facet checkbox applies it at once (without JS, the "应用筛选" button does), and the
//   reloaded page gives the focus back to that checkbox, so keyboard users keep their place.
// - Citation fields get a "复制" button, and select their whole text when focused.
"use strict";

var FOCUS_KEY = "policy-search.facet-focus";

document.documentElement.classList.add("js-enabled");

function isTyping(target) {
  return target instanceof HTMLElement &&
    (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

document.addEventListener("keydown", function (event) {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) {
    return;
  }
  var box = document.getElementById("q");
  if (box) {
    event.preventDefault();
    box.focus();
    box.select();
  }
});

// sessionStorage can be missing or refuse writes (private modes, strict settings): then focus is
// simply not restored.
function remember(value) {
  try { sessionStorage.setItem(FOCUS_KEY, value); } catch (e) { /* not essential */ }
}

function recall() {
  try {
    var value = sessionStorage.getItem(FOCUS_KEY);
    sessionStorage.removeItem(FOCUS_KEY);
    return value;
  } catch (e) {
    return null;
  }
}

document.addEventListener("change", function (event) {
  var box = event.target;
  if (box instanceof HTMLInputElement && box.type === "checkbox" && box.closest(".facet") && box.form) {
    document.documentElement.classList.add("is-loading");
    remember(JSON.stringify([box.name, box.value]));
    box.form.submit();
  }
});

function restoreFacetFocus() {
  var saved = recall();
  if (!saved) { return; }
  var nameValue = JSON.parse(saved);
  document.querySelectorAll(".facet input[type=checkbox]").forEach(function (box) {
    if (box.name === nameValue[0] && box.value === nameValue[1]) { box.focus(); }
  });
}

function copyText(field, button) {
  field.select();
  var done = function () {
    button.textContent = "已复制";
    setTimeout(function () { button.textContent = "复制"; }, 2000);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
  } else {
    document.execCommand("copy");
    done();
  }
}

function addCopyButtons() {
  document.querySelectorAll(".copy-source").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = "复制";
    button.setAttribute("aria-label", "复制" + (field.labels && field.labels[0] ? field.labels[0].textContent : ""));
    button.addEventListener("click", function () { copyText(field, button); });
    var row = document.createElement("div");
    row.className = "copy-row";
    field.parentNode.insertBefore(row, field);
    row.appendChild(field);
    row.appendChild(button);
  });
}

document.addEventListener("DOMContentLoaded", function () {
  restoreFacetFocus();
  addCopyButtons();
});
