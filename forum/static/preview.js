// Where JavaScript runs, show the draft as it will look, a moment after the writer pauses.
// The server renders and sanitises it exactly as it would a post: no Markdown is rendered
// here, and a failed request just leaves the last preview in place.
(function () {
  "use strict";
  var section = document.getElementById("draft-preview");
  if (!section || !window.fetch) {
    return;
  }
  var form = section.closest("form");
  var body = form && form.querySelector('textarea[name="body"]');
  if (!body) {
    return;
  }
  var warning = form.querySelector('input[name="content_warning"]');
  var token = form.querySelector('input[name="csrf_token"]');
  var region = section.querySelector(".preview-body");
  var url = section.getAttribute("data-preview-url");
  var timer = null;
  var sent = "";

  function refresh() {
    var text = body.value;
    var label = warning ? warning.value : "";
    if (text + "\u0000" + label === sent) {
      return;
    }
    sent = text + "\u0000" + label;
    if (!text.trim()) {
      section.hidden = true;
      region.textContent = "";
      return;
    }
    var data = new URLSearchParams();
    data.append("text", text);
    data.append("content_warning", label);
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" },
      body: data
    })
      .then(function (response) {
        return response.ok && !response.redirected ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null) {
          region.innerHTML = html;
          section.hidden = false;
        }
      })
      .catch(function () { /* the preview is a comfort; posting works without it */ });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 600);
  }

  body.addEventListener("input", later);
  if (warning) {
    warning.addEventListener("input", later);
  }
  if (body.value.trim()) {
    refresh();
  }
})();
