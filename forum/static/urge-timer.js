// The craving SOS page's 10-minute urge-surfing timer. Without JavaScript the page says the
// time now and when the ten minutes end; with it, a countdown with a few words as it goes.
(function () {
  "use strict";
  var box = document.getElementById("urge-timer");
  if (!box) {
    return;
  }
  var minutes = parseInt(box.getAttribute("data-minutes"), 10) || 10;
  var total = minutes * 60;
  var display = box.querySelector(".timer-display");
  var time = box.querySelector(".timer-time");
  var controls = box.querySelector(".timer-controls");
  var start = box.querySelector(".timer-start");
  var pause = box.querySelector(".timer-pause");
  var reset = box.querySelector(".timer-reset");
  var status = box.querySelector(".timer-status");
  // spoken once each, as the time passes (seconds left, words)
  var phases = [
    [total, "Notice where you feel it. Breathe in for 4, out for 6."],
    [Math.round(total * 0.75), "If it feels stronger, that is the wave building. Keep breathing."],
    [Math.round(total * 0.5), "Halfway. Give the craving a number again: has it changed?"],
    [Math.round(total * 0.2), "Nearly there. You are doing it."],
    [0, "Ten minutes: you rode it out. How strong is it now? Drink some water, step outside, or message someone."]
  ];
  var left = total;
  var endsAt = null;
  var ticking = null;
  var said = {};

  function show(seconds) {
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    time.textContent = (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }

  function speak(seconds) {
    for (var i = 0; i < phases.length; i++) {
      if (seconds <= phases[i][0] && !said[i]) {
        said[i] = true;
        status.textContent = phases[i][1];
      }
    }
  }

  function tick() {
    left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    show(left);
    speak(left);
    if (left === 0) {
      stop();
      pause.hidden = true;
      start.hidden = true;
      box.classList.add("timer-done");
    }
  }

  function stop() {
    clearInterval(ticking);
    ticking = null;
  }

  start.addEventListener("click", function () {
    endsAt = Date.now() + left * 1000;
    ticking = setInterval(tick, 1000);
    tick();
    start.hidden = true;
    pause.hidden = false;
    reset.hidden = false;
    pause.focus();
  });

  pause.addEventListener("click", function () {
    stop();
    pause.hidden = true;
    start.hidden = false;
    start.textContent = "Carry on";
    status.textContent = "Paused. Carry on when you are ready.";
    start.focus();
  });

  reset.addEventListener("click", function () {
    stop();
    left = total;
    said = {};
    show(left);
    status.textContent = "";
    box.classList.remove("timer-done");
    start.textContent = "Start the " + minutes + "-minute timer";
    start.hidden = false;
    pause.hidden = true;
    reset.hidden = true;
    start.focus();
  });

  display.hidden = false;
  controls.hidden = false;
  box.querySelector(".timer-text").hidden = true;
  show(left);
})();
