// The client's feedback pad: each tap is an event with an id made here and this phone's
// time, kept in the phone's queue (offline-queue.js, shared with the session runner) until
// the server has it (sent once: a resent id is recorded once). Each tap is acknowledged in
// words: "Saved on this phone" until the server answers (offline: "It is sent when the
// phone is connected"), then "Recorded: too much", or why not. The current point and
// whether a hold is on are asked for every second, sending back the ETag of the state
// shown (an unchanged session is answered 304, no body); while no hold is on, or once the
// session has ended, the buttons are disabled and look it. The server puts this phone's
// times on its own clock from "sent" (the phone's time when the tap goes out).
(function () {
  "use strict";
  const pad = document.getElementById("pad");
  if (!pad) return;
  const stateUrl = pad.dataset.state;
  const eventsUrl = pad.dataset.events;
  const pollMs = Math.max(0.5, Number(pad.dataset.poll) || 1) * 1000;
  const key = pad.dataset.key;
  const point = document.getElementById("pad-point");
  const hold = document.getElementById("pad-hold");
  const net = document.getElementById("pad-net");
  const queued = document.getElementById("pad-queued");
  const message = document.getElementById("pad-message");
  const buttons = Array.from(pad.querySelectorAll("button[data-kind]"));
  const words = {};
  buttons.forEach((b) => { words[b.dataset.kind] = b.textContent.trim().toLowerCase(); });
  const outbox = new window.MyomapOfflineQueue(key, "id");
  let closed = false;
  let holding = pad.dataset.hold === "true";
  let tag = null; // the ETag of the state shown

  function showQueue() {
    const waiting = outbox.items.length;
    queued.textContent = waiting ? waiting + (waiting === 1 ? " tap" : " taps") + " waiting to be sent." : "";
    if (!waiting && !closed) net.textContent = navigator.onLine === false ? "Offline: taps wait on this phone." : "";
  }

  // The buttons work while a hold is on (a tap queued offline is kept for its hold).
  function enable() {
    buttons.forEach((b) => { b.disabled = closed || !holding; });
    pad.classList.toggle("is-idle", closed || !holding);
  }

  function show(state) {
    point.textContent = state.point ? state.point : "Waiting for the first point";
    holding = !!state.hold && !state.ended;
    if (state.ended) hold.textContent = "The session has ended.";
    else hold.textContent = state.hold ? "Holding now: tap how it feels" : "Not holding: the buttons wake up when the next hold starts";
    enable();
  }

  // tone: "good" (the server recorded it), "bad" (refused), else neutral (not sent yet).
  function say(text, tone) {
    message.textContent = text;
    message.className = "pad-message" + (tone ? " " + tone : "");
  }

  function kept(what) {
    say("Saved on this phone: " + what + ". It is sent when the phone is connected.");
  }

  function close(text) {
    closed = true;
    outbox.clear();
    enable();
    net.textContent = "";
    queued.textContent = "";
    hold.textContent = "The session has ended.";
    say(text, "bad");
  }

  // Send the queued taps, one at a time in order (offline-queue.js).
  function sendNext() {
    if (!closed) outbox.drain(sendTap);
  }

  // Send one queued tap; whether to go on with the next.
  async function sendTap(tap) {
    if (closed) return false;
    let again = false;
    const what = words[tap.kind] || tap.kind;
    try {
      const body = Object.assign({}, tap, { sent: new Date().toISOString() });
      const response = await fetch(eventsUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        credentials: "omit",
      });
      let answer = {};
      try { answer = await response.json(); } catch (e) { answer = {}; }
      if (response.status === 403 && answer.refused) {
        close(answer.detail || "This feedback link no longer works.");
        return false;
      }
      if (response.ok || (response.status >= 400 && response.status < 500)) {
        // Recorded, or refused for good (sending it again would be refused again).
        outbox.drop(tap);
        again = true;
        if (response.ok) {
          say("Recorded: " + what + " ✓", "good");
          show(answer);
        } else {
          say("Not recorded (" + what + "): " + (answer.detail || "refused."), "bad");
        }
      } else {
        net.textContent = "Waiting: the tap is kept and sent again.";
        kept(what);
      }
    } catch (e) {
      net.textContent = "No network: the tap is kept and sent when it returns.";
      kept(what);
    }
    showQueue();
    // The next queued tap now; after a failure, at the next poll or when back online.
    return again && !closed;
  }

  async function poll() {
    if (closed) return;
    try {
      const headers = tag ? { "If-None-Match": tag } : {};
      const response = await fetch(stateUrl, { credentials: "omit", cache: "no-store", headers: headers });
      if (response.status === 304) {
        // nothing new
      } else {
        const answer = await response.json();
        if (response.status === 403 && answer.refused) {
          close(answer.detail || "This feedback link no longer works.");
          return;
        }
        if (response.ok) {
          tag = response.headers.get("ETag");
          show(answer);
        }
      }
    } catch (e) {
      // Offline: the taps wait in the queue; the state is asked for again shortly.
    }
    if (outbox.items.length) sendNext();
  }

  buttons.forEach((button) => {
    button.addEventListener("click", () => {
      if (closed || button.disabled) return;
      outbox.push({ id: window.MyomapOfflineQueue.newId(), kind: button.dataset.kind, at: new Date().toISOString() });
      if (navigator.vibrate) navigator.vibrate(30);
      const what = words[button.dataset.kind] || button.dataset.kind;
      if (navigator.onLine === false) kept(what);
      else say("Saved on this phone: " + what + ". Sending…");
      showQueue();
      sendNext();
    });
  });
  window.addEventListener("online", sendNext);
  enable();
  showQueue();
  sendNext();
  let busy = false;
  window.setInterval(async () => {
    if (busy) return;
    busy = true;
    try { await poll(); } finally { busy = false; }
  }, pollMs);
})();
