// While a member writes, run the same crisis check the server runs at submit, and show
// the helplines before they send. Without JavaScript the check happens at submit instead.
(function () {
  "use strict";
  var panel = document.getElementById("draft-helplines");
  var fields = document.querySelectorAll("textarea[data-crisis-check]");
  if (!panel || !fields.length || !window.fetch) {
    return;
  }
  var url = panel.getAttribute("data-check-url");
  var token = document.querySelector('input[name="csrf_token"]');
  var timer = null;

  function check(text) {
    var body = new URLSearchParams();
    body.append("text", text);
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" },
      body: body
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (result) {
        if (result && result.crisis) {
          var shown = panel.hidden;
          panel.hidden = false;
          // on a phone the panel sits just below the text box: bring its heading into view
          // once, with the end of the text box still above it
          var below = panel.getBoundingClientRect().top - (window.innerHeight - 160);
          if (shown && below > 0) {
            window.scrollBy(0, below);
          }
        }
      })
      .catch(function () { /* the server checks again at submit */ });
  }

  Array.prototype.forEach.call(fields, function (field) {
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { check(field.value); }, 700);
    });
  });
})();
