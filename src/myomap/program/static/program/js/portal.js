// The client's program on a phone: a hold timer and repetition counter per exercise
// (a beep and a vibration at the end of each hold, the screen kept awake while a hold
// runs where the browser allows it), and "done", "skipped" and "hurt" buttons. Each log
// entry gets an id made here and waits in the phone's queue (offline-queue.js) until the
// server has it, so an entry made offline is sent when the network returns, and once.
(function () {
  "use strict";
  var root = document.getElementById("portal");
  if (!root) return;
  var logUrl = root.dataset.logUrl;
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  var Queue = window.MyomapOfflineQueue;
  var queue = new Queue("myomap-portal-log", "entry_id");
  var net = document.getElementById("net-status");
  var waiting = document.getElementById("queue-status");
  var lock = null;

  function showQueue() {
    var n = queue.items.length;
    waiting.textContent = n ? n + " waiting to be sent" : "";
  }

  function beep() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      var ctx = beep.ctx || (beep.ctx = new Ctx());
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.frequency.value = 880;
      gain.gain.value = 0.2;
      osc.connect(gain);
      gain.connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.25);
    } catch (e) { /* no sound: the vibration and the counter still tell */ }
    if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
  }

  async function keepAwake() {
    try {
      if ("wakeLock" in navigator && !lock) {
        lock = await navigator.wakeLock.request("screen");
        lock.addEventListener("release", function () { lock = null; });
      }
    } catch (e) { lock = null; }
  }

  function letSleep() {
    if (lock) { lock.release(); lock = null; }
  }

  function setUp(card) {
    var hold = parseInt(card.dataset.hold, 10) || 0;
    var reps = parseInt(card.dataset.reps, 10) || 1;
    var sets = parseInt(card.dataset.sets, 10) || 1;
    var secondsEl = card.querySelector(".timer-seconds");
    var repEl = card.querySelector(".rep-now");
    var setEl = card.querySelector(".set-now");
    var rep = 0, set = 1, timer = null;

    function countOne() {
      rep += 1;
      if (rep > reps && set < sets) { rep = 1; set += 1; }
      repEl.textContent = String(Math.min(rep, reps));
      if (setEl) setEl.textContent = String(set);
      if (rep >= reps && set >= sets) card.classList.add("finished");
    }

    var start = card.querySelector(".start-hold");
    if (start) {
      start.addEventListener("click", function () {
        if (timer) return;
        var end = Date.now() + hold * 1000;
        keepAwake();
        start.disabled = true;
        card.classList.add("holding");
        timer = setInterval(function () {
          var left = Math.max(0, Math.ceil((end - Date.now()) / 1000));
          secondsEl.textContent = String(left);
          if (left <= 0) {
            clearInterval(timer);
            timer = null;
            start.disabled = false;
            card.classList.remove("holding");
            secondsEl.textContent = String(hold);
            beep();
            countOne();
            start.textContent = "Start the next hold";
            letSleep();
          }
        }, 200);
      });
    }
    var count = card.querySelector(".count-rep");
    if (count) count.addEventListener("click", countOne);

    card.querySelectorAll("button.log").forEach(function (button) {
      button.addEventListener("click", function () {
        var pain = card.querySelector(".pain-select").value;
        var entry = {
          entry_id: Queue.newId(),
          item: parseInt(card.dataset.item, 10),
          outcome: button.dataset.outcome,
          pain: pain === "" ? null : parseInt(pain, 10),
          made_at: new Date().toISOString(),
        };
        queue.push(entry);
        card.querySelector(".logged").textContent = "Today: " + entry.outcome + (navigator.onLine ? "" : " (saved on this phone, sent when online)");
        var advice = card.querySelector(".hurt-advice");
        if (advice) advice.hidden = entry.outcome !== "hurt";
        showQueue();
        sendNext();
      });
    });
  }

  async function send(entry) {
    net.textContent = "Sending…";
    try {
      var response = await fetch(logUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(entry),
        credentials: "same-origin",
      });
      var answer = {};
      try { answer = await response.json(); } catch (e) { answer = {}; }
      if (response.redirected || response.status === 403 || (response.ok && answer.entry_id !== entry.entry_id)) {
        // Signed out (the sign-in page answered): keep it until the client signs in again.
        net.textContent = "Sign in again to send what is waiting";
        showQueue();
        return false;
      }
      if (response.ok || (response.status >= 400 && response.status < 500)) {
        // Recorded (201, or 200 when it already was), or refused for good.
        queue.drop(entry);
        net.textContent = response.ok ? "Saved" : "Not saved: " + (answer.detail || "refused");
        if (!response.ok) refused(entry, answer.detail || "refused");
        showQueue();
        return true;
      }
      net.textContent = "Waiting";
    } catch (e) {
      net.textContent = "Offline: saved on this phone";
    }
    showQueue();
    return false;
  }

  // A refused entry is not today's log: its card says so, instead of "Today: done".
  function refused(entry, why) {
    var card = root.querySelector('.exercise[data-item="' + entry.item + '"]');
    if (!card) return;
    card.querySelector(".logged").textContent = "Not saved: " + why;
    var advice = card.querySelector(".hurt-advice");
    if (advice && entry.outcome === "hurt") advice.hidden = false;  // the advice still holds
  }

  function sendNext() { queue.drain(send); }

  document.querySelectorAll(".exercise").forEach(setUp);
  window.addEventListener("online", sendNext);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") sendNext();
  });
  setInterval(sendNext, 15000);
  showQueue();
  sendNext();
  if ("serviceWorker" in navigator && root.dataset.swUrl) {
    navigator.serviceWorker.register(root.dataset.swUrl, { scope: "/me/" }).catch(function () {});
  }
})();
