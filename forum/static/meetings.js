// A live meeting room: listen to the room's Server-Sent Events and send its forms in the
// background. Without this script the page refreshes itself and the forms post as usual.
(function () {
  "use strict";
  var roomEl = document.getElementById("room");
  if (!roomEl || !window.EventSource || !window.fetch) { return; }
  var address = new URL(window.location.href);
  if (address.searchParams.get("live") !== "1") {
    // this copy of the page would refresh itself; the live one listens to the room instead
    address.searchParams.set("live", "1");
    window.location.replace(address.toString());
    return;
  }
  var log = document.getElementById("room-log");
  roomEl.classList.add("is-live");
  log.scrollTop = log.scrollHeight;
  var panel = document.getElementById("room-panel");
  function hereState() {
    var marker = panel.querySelector("[data-here-state]");
    return marker ? marker.getAttribute("data-here-state") : "";
  }
  var stateAtLoad = hereState();

  function addLine(seq, html) {
    if (document.getElementById("line-" + seq)) { return; }
    var holder = document.createElement("ol");
    holder.innerHTML = html;
    var line = holder.firstElementChild;
    if (!line) { return; }
    log.appendChild(line);
    line.scrollIntoView({ block: "nearest" });
  }

  function refreshPanel() {
    fetch(roomEl.dataset.panel, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status !== 200) { window.location.reload(); return null; }
        return response.text();
      })
      .then(function (html) {
        if (html === null) { return; }
        panel.innerHTML = html;
        if (hereState() !== stateAtLoad) { window.location.reload(); return; }
        var mayWrite = panel.querySelector("[data-may-write]");
        if (mayWrite && !document.getElementById("room-say")) { window.location.reload(); }
        if (!mayWrite && document.getElementById("room-say")) { window.location.reload(); }
      });
  }

  function send(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    var error = form.querySelector(".room-say-error");
    // getAttribute: a button named "action" would shadow form.action
    return fetch(form.getAttribute("action"), {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().then(function (answer) { return { ok: response.ok, answer: answer }; });
    }).then(function (result) {
      var answer = result.answer;
      if (answer.go) { window.location.assign(answer.go); return; }
      if (error) { error.hidden = true; }
      if (!result.ok || answer.notice) {
        if (error) {
          error.textContent = answer.error || answer.notice;
          error.hidden = false;
          if (answer.confirm) { form.querySelector(".room-say-confirm").hidden = false; }
        } else { window.alert(answer.error); }
        return;
      }
      if (form.id === "room-say") {
        form.reset();
        form.querySelector(".room-say-confirm").hidden = true;
      }
      refreshPanel();
    }).catch(function () {
      // the background request failed: send the form as a plain page instead
      form.setAttribute("data-plain", "");
      form.requestSubmit(submitter || undefined);
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-room-form") || form.hasAttribute("data-plain")) { return; }
    event.preventDefault();
    send(form, event.submitter);
  });

  var after = roomEl.dataset.lastSeq || "0";
  var source = new EventSource(roomEl.dataset.events + "?after=" + after);
  source.addEventListener("line", function (event) { addLine(event.lastEventId, event.data); });
  source.addEventListener("state", refreshPanel);
  source.addEventListener("ended", function () { source.close(); window.location.reload(); });
  source.addEventListener("error", function () {
    // the server refused the stream (busy) and the browser gave up: refresh as without script
    // the stream was refused: a 204 (ended, or removed: the panel's answer reloads the page at
    // once, and the page says which) or a 503 (busy: try again in a while)
    if (source.readyState === EventSource.CLOSED) {
      refreshPanel();
      window.setTimeout(function () { window.location.reload(); }, 10000);
    }
  });
})();
