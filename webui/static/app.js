// Small conveniences on top of pages that work without JavaScript.
// - "/" focuses the search box (as on many search sites), unless the user is typing somewhere.
// - Ticking a facet checkbox applies it at once (without JS, the "应用筛选" button does), and the
//   reloaded page gives the focus back to that checkbox, so keyboard users keep their place.
// - Citation fields get a "复制" button, and select their whole text when focused.
// - "加入简报" forms are sent with fetch (the server answers JSON when asked), so adding a passage
//   keeps the reader's place; the confirmation appears next to the passage. A briefing created this
//   way joins every list on the page, chosen, so the next passage goes to the same briefing. If
//   fetch itself fails (offline, an old browser), the form is sent the ordinary way.
// - The new-briefing title field shows only when "新建简报" is chosen.
// - A briefing's edit page warns before the page is left with text typed and not saved (the page's
//   one form, #briefing-edit, saves every note at once; submitting it is not leaving).
// - "打印 / 存为 PDF" opens the print dialog (without JS it leads to the read-only page).
// - On a narrow screen a report's contents start closed: open, they would fill more than a screen.
"use strict";

var FOCUS_KEY = "policy-search.facet-focus";
var NARROW = "(max-width: 700px)";  // the same width as style.css's one-column layout

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

var NEW_BRIEFING = "new";
var ADD_ERRORS = {
  400: "没能加入简报：页面已过期，请刷新后再试。",
  403: "没能加入简报：本浏览器没有这份简报的编辑权限。",
  404: "没能加入简报：找不到这个段落（索引可能已重建），请刷新页面。",
  413: "没能加入简报：标题太长。",
  429: "没能加入简报：操作太频繁，请等几秒钟再试。",
  503: "没能加入简报：简报数据库正忙，请稍后再试。"
};

function showTitleFieldIfNew(form) {
  var choice = form.elements.briefing;
  form.classList.toggle("is-existing", !!choice && choice.value !== NEW_BRIEFING);
}

function showNotice(passageId, text, link, isError) {
  var box = document.querySelector(".notices[data-for='passage-" + CSS.escape(passageId) + "']");
  if (!box) { return; }
  var notice = document.createElement("p");
  notice.className = isError ? "notice notice-error" : "notice";
  notice.textContent = text;
  if (link) {
    var a = document.createElement("a");
    a.href = link.href;
    a.textContent = link.text;
    notice.appendChild(document.createTextNode(" "));
    notice.appendChild(a);
  }
  box.replaceChildren(notice);
}

// A briefing just created: offer it first in every "加入简报" list, and choose it.
function offerBriefing(briefing) {
  document.querySelectorAll(".add-briefing-form select[name=briefing]").forEach(function (select) {
    var option = Array.prototype.find.call(select.options, function (o) { return o.value === briefing.id; });
    if (!option) {
      option = new Option(briefing.title, briefing.id);
      select.insertBefore(option, select.options[0]);
    }
    select.value = briefing.id;
    showTitleFieldIfNew(select.form);
    select.form.elements.title.value = "";
  });
}

function addToBriefing(form) {
  var passageId = form.elements.passage_id.value;
  var button = form.querySelector("button[type=submit]");
  button.disabled = true;
  fetch(form.action, {
    method: "POST", body: new FormData(form), credentials: "same-origin",
    headers: { "Accept": "application/json" }
  }).then(function (response) {
    // An answer that is not JSON (a proxy's error page, say) counts as an error like any other.
    return response.json().catch(function () { return {}; }).then(function (data) {
      if (!response.ok) {
        showNotice(passageId, ADD_ERRORS[response.status] || "没能加入简报，请稍后再试。", null, true);
        return;
      }
      if (data.created) { offerBriefing(data.briefing); }
      // The server's message also says when the passage was in the briefing already.
      showNotice(passageId, data.message || "已加入简报《" + data.briefing.title + "》，现有 " + data.count + " 段。",
                 { href: data.briefing.edit_url, text: "打开简报" }, false);
      form.closest("details").open = false;
    });
  }, function () {
    form.submit();  // no answer at all: let the browser send the form itself
  }).finally(function () { button.disabled = false; });
}

function enhanceBriefingForms() {
  document.querySelectorAll(".add-briefing-form").forEach(function (form) {
    showTitleFieldIfNew(form);
    form.elements.briefing.addEventListener("change", function () { showTitleFieldIfNew(form); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      addToBriefing(form);
    });
  });
  document.querySelectorAll(".print-link").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      window.print();
    });
  });
}

// The fields of the edit form whose text differs from what the page was loaded with.
function unsavedFields(form) {
  return Array.prototype.filter.call(form.elements, function (field) {
    return (field instanceof HTMLTextAreaElement || (field instanceof HTMLInputElement && field.type === "text")) &&
      field.value !== field.defaultValue;
  });
}

function warnBeforeLosingTypedText() {
  var form = document.getElementById("briefing-edit");
  if (!form) { return; }
  var submitting = false;
  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (event) {
    if (submitting || unsavedFields(form).length === 0) { return; }
    event.preventDefault();
    event.returnValue = "";  // older browsers show their own warning only when this is set
  });
}

function collapseContentsOnNarrowScreens() {
  if (!window.matchMedia || !window.matchMedia(NARROW).matches) { return; }
  document.querySelectorAll(".toc details[open]").forEach(function (details) { details.open = false; });
}

document.addEventListener("DOMContentLoaded", function () {
  collapseContentsOnNarrowScreens();
  restoreFacetFocus();
  addCopyButtons();
  enhanceBriefingForms();
  warnBeforeLosingTypedText();
});
