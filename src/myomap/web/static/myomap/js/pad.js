// The client's feedback pad: each tap is an event with an id made here and this phone's
// time, kept in the phone's queue (offline-queue.js, shared with the session runner) until
// the server has it (sent once: a resent id is recorded once), and the current point's
// name asked for every few seconds. The server puts this
// phone's times on its own clock from "sent" (the phone's time when the tap goes out).
(function () {
  "use strict";
  const pad = document.getElementById("pad");
  if (!pad) return;
  const stateUrl = pad.dataset.state;
  const eventsUrl = pad.dataset.events;
  const pollMs = Math.max(1, Number(pad.dataset.poll) || 3) * 1000;
  const key = pad.dataset.key;
  const point = document.getElementById("pad-point");
  const hold = document.getElementById("pad-hold");
  const net = document.getElementById("pad-net");
  const queued = document.getElementById("pad-queued");
  const message = document.getElementById("pad-message");
  const buttons = Array.from(pad.querySelectorAll("button[data-kind]"));
  const outbox = new window.MyomapOfflineQueue(key, "id");
  let closed = false;

  function showQueue() {
    const waiting = outbox.items.length;
    queued.textContent = waiting ? waiting + " waiting" : "";
    if (!waiting && !closed) net.textContent = navigator.onLine === false ? "Offline" : "Sent";
  }

  function show(state) {
    point.textContent = state.point ? state.point : "Waiting for the first point";
    if (state.ended) hold.textContent = "The session has ended.";
    else hold.textContent = state.hold ? "Holding now" : "Not holding";
  }

  function close(text) {
    closed = true;
    outbox.clear();
    buttons.forEach((b) => { b.disabled = true; });
    net.textContent = "Closed";
    queued.textContent = "";
    message.textContent = text;
  }

  // Send the queued taps, one at a time in order (offline-queue.js).
  function sendNext() {
    if (!closed) outbox.drain(sendTap);
  }

  // Send one queued tap; whether to go on with the next.
  async function sendTap(tap) {
    if (closed) return false;
    net.textContent = "Sending…";
    let again = false;
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
          message.textContent = "";
          show(answer);
        } else {
          message.textContent = "Not recorded: " + (answer.detail || "refused");
        }
      } else {
        net.textContent = "Waiting";
      }
    } catch (e) {
      net.textContent = "Waiting (no network)";
    }
    showQueue();
    // The next queued tap now; after a failure, at the next poll or when back online.
    return again && !closed;
  }

  async function poll() {
    if (closed) return;
    try {
      const response = await fetch(stateUrl, { credentials: "omit", cache: "no-store" });
      const answer = await response.json();
      if (response.status === 403 && answer.refused) {
        close(answer.detail || "This feedback link no longer works.");
        return;
      }
      if (response.ok) show(answer);
    } catch (e) {
      // Offline: the taps wait in the queue; the name is asked for again shortly.
    }
    if (outbox.items.length) sendNext();
  }

  buttons.forEach((button) => {
    button.addEventListener("click", () => {
      if (closed) return;
      outbox.push({ id: window.MyomapOfflineQueue.newId(), kind: button.dataset.kind, at: new Date().toISOString() });
      if (navigator.vibrate) navigator.vibrate(30);
      net.textContent = "Waiting";
      showQueue();
      sendNext();
    });
  });
  window.addEventListener("online", sendNext);
  showQueue();
  sendNext();
  window.setInterval(poll, pollMs);
})();
