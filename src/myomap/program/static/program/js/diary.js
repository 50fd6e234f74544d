// The pain diary form on the phone: each entry gets an id made here and waits in the
// phone's queue (offline-queue.js) until the server has it, so an entry written with the
// network off is sent when it returns, and recorded once (a double tap, a retry: one
// entry). The regions are tapped on the body map (myomap/js/bodymap.js keeps them in
// #id_pain_drawing); without this script the form is sent as an ordinary form, with its
// own id and the list of regions by body area.
(function () {
  "use strict";
  var form = document.getElementById("diary-form");
  var Queue = window.MyomapOfflineQueue;
  if (!form || !Queue) return;
  var map = document.getElementById("diary-map");
  var list = document.getElementById("diary-list");
  var drawing = document.getElementById("id_pain_drawing");
  if (map && list && drawing) {
    map.hidden = false;
    list.hidden = true;
  }

  function tapped() {
    if (!map || map.hidden) {
      return Array.prototype.map.call(form.querySelectorAll("input[name=regions]:checked"), function (box) { return box.value; });
    }
    try { return Object.keys(JSON.parse(drawing.value || "{}")); } catch (e) { return []; }
  }
  var queue = new Queue("myomap-portal-diary", "entry_id");
  var id = document.getElementById("diary-entry-id");
  var status = document.getElementById("diary-status");
  var problem = document.getElementById("diary-problem");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  if (!id.value) id.value = Queue.newId();

  function showQueue(text) {
    var n = queue.items.length;
    status.textContent = text || (n ? n + (n === 1 ? " entry" : " entries") + " waiting to be sent" : "");
  }

  async function send(entry) {
    try {
      var response = await fetch(window.location.pathname, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(entry),
        credentials: "same-origin",
      });
      var answer = {};
      try { answer = await response.json(); } catch (e) { answer = {}; }
      if (response.redirected || response.status === 403 || (response.ok && answer.entry_id !== entry.entry_id)) {
        // Signed out (the sign-in page answered): keep it until the client signs in again.
        showQueue("Sign in again to send what is waiting.");
        return false;
      }
      if (response.ok) {
        queue.drop(entry);
        if (!queue.items.length) window.location.reload();  // the entry in the list
        return true;
      }
      if (response.status >= 400 && response.status < 500) {
        queue.drop(entry);  // refused for good: say why, keep what was typed
        problem.hidden = false;
        problem.textContent = "Not saved: " + (answer.detail || "refused");
        showQueue();
        return true;
      }
    } catch (e) { /* offline: it stays queued */ }
    showQueue("Saved on this phone: it will be sent when you are back online.");
    return false;
  }

  function sendNext() { queue.drain(send); }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    problem.hidden = true;
    var pain = form.elements.pain.value;
    queue.push({
      entry_id: id.value || Queue.newId(),
      regions: tapped(),
      pain: pain === "" ? null : Number(pain),
      note: form.elements.note.value,
      made_at: new Date().toISOString(),
    });
    id.value = Queue.newId();  // the next entry is another one
    showQueue();
    sendNext();
  });
  window.addEventListener("online", sendNext);
  setInterval(sendNext, 15000);
  showQueue();
  sendNext();
})();
