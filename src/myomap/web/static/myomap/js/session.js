// The session runner (no inline script: loaded as a file). The server is the record: the
// page shows its state (GET /api/visits/<id>/session) with the taps not yet sent laid
// over it. Every tap is an event with an id made here and this device's time; it is kept
// in the device's queue (offline-queue.js, shared with the client's pad) until the server
// has it, sent one at a time in order, and sent again after the network returns (the
// server records a repeated id once). A refused event is dropped with the server's
// reason, and the page shows the server's state again.
(function () {
  "use strict";
  var root = document.getElementById("runner");
  if (!root) return;
  root.hidden = false;
  // What the page says without a script: the runner is here now.
  document.querySelectorAll("[data-without-script]").forEach(function (el) { el.hidden = true; });

  var API = root.dataset.api;
  var READ_ONLY = root.dataset.readOnly === "true";
  var CSRF = (root.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  var QUEUE_KEY = "myomap.session." + root.dataset.visit + ".queue";
  // The feedback buttons, in their order (shortcut 1 is the first), and each one's words
  // in the list of holds: the page writes them from the server's one list.
  var FEEDBACK = [];
  var WORDS = {};
  document.querySelectorAll("[data-feedback]").forEach(function (b) {
    FEEDBACK.push(b.dataset.feedback);
    WORDS[b.dataset.feedback] = b.dataset.words;
  });
  var KINDS = {
    "go-to-point": "going to a point", "start-hold": "the hold's start", "release-hold": "the release",
    tenderness: "the tenderness", "pain-now": "pain now", "skip-point": "the skip",
    "add-point": "the added point", feedback: "the feedback",
  };
  var $ = function (id) { return document.getElementById(id); };
  // Who stopped a hold, as the list of holds says it.
  var STOPPED = { therapist: "stopped by you", client: "stopped: the client said stop", pad: "stopped by the client on their phone" };
  // How often a running session is read again (the phone's taps): an unchanged session
  // is answered 304 with no body (its ETag sent back), so a read is cheap.
  var POLL_MS = 400;
  var taps = 0; // taps made on this device since the page opened
  var CITATIONS = {};
  try { CITATIONS = JSON.parse(($("runner-citations") || {}).textContent || "{}"); } catch (e) { CITATIONS = {}; }
  // The client's taps on their own phone that call for the therapist's eyes at once: a
  // banner over the page and a sound, in the server's words (core.session.events). Taps
  // already on the screen at opening raise none.
  var ALERTS = {};
  try { ALERTS = JSON.parse(($("runner-alerts") || {}).textContent || "{}"); } catch (e) { ALERTS = {}; }
  // What a suggestion says, in the server's words (core.session.suggest).
  var SUGGESTS = {};
  try { SUGGESTS = JSON.parse(($("runner-suggestion-words") || {}).textContent || "{}"); } catch (e) { SUGGESTS = {}; }
  var alerted = null; // the ids of the pad's taps already seen (null: not read yet)
  var lastFocus = -1; // the point shown while the session ran (kept once it ends)
  var pendingField = {}; // an event's id -> the field whose value it records

  var planned = Array.prototype.map.call(document.querySelectorAll("#session-plan li"), function (li) {
    return {
      li: li,
      point: li.dataset.point,
      side: li.dataset.side,
      name: li.dataset.name,
      location: li.dataset.location,
      technique: li.dataset.technique,
      techniqueName: li.dataset.techniqueName,
      pressure: li.dataset.pressure,
      hold: parseInt(li.dataset.hold, 10) || 0,
      repetitions: parseInt(li.dataset.repetitions, 10) || 1,
      number: li.dataset.number,
      zones: (li.dataset.zones || "").split(" ").filter(Boolean),
      longest: li.dataset.longest ? parseInt(li.dataset.longest, 10) : null,
      steps: steps(li.dataset.steps),
    };
  });
  // The seconds into a hold where each pressure step after the first starts, as the
  // server's knowledge base gives them ("7 13": data-steps); none for an even hold.
  function steps(text) {
    return (text || "").split(" ").filter(Boolean).map(function (x) { return parseInt(x, 10); });
  }
  var plan = planned.slice(); // the plan's points, then those added on the way
  var key = function (point, side) { return point + "|" + side; };
  var indexOf = function (point, side) {
    for (var i = 0; i < plan.length; i++) if (plan[i].point === point && plan[i].side === side) return i;
    return -1;
  };

  // ------------------------------------------------------------------ clock and ids
  // The session's clock: this device's time, never behind a time the server gave, never
  // going back (so no event of ours is "earlier than the session's last event").
  var offset = 0;
  var latest = 0;
  function learn(iso) {
    if (!iso) return;
    var t = Date.parse(iso);
    if (isNaN(t)) return;
    if (t > Date.now() + offset) offset = t - Date.now();
    if (t > latest) latest = t;
  }
  function clock() {
    var t = Math.max(Date.now() + offset, latest + 1);
    latest = t;
    return t;
  }

  // ------------------------------------------------------------------ the queue
  var outbox = new window.MyomapOfflineQueue(QUEUE_KEY, "event_id");
  outbox.items.forEach(function (e) { learn(e.at); });

  // ------------------------------------------------------------------ the view
  // What the page shows: the server's state with the queued taps applied over it.
  var server = null; // the last "session" the server sent (null: none started)
  var view = null;

  function fromServer(s) {
    var v = {
      status: s ? s.status : "none",
      current: -1,
      focus: -1, // the point shown: the current one, else the one just skipped
      active: null,
      holds: [],
      points: {},
      suggestion: s ? s.suggestion : null,
      endedAt: s ? s.ended_at : null,
      pain: { start: s ? s.pain_start : null, end: s ? s.pain_end : null },
    };
    if (!s) return v;
    learn(s.started);
    if (s.current) v.current = indexOf(s.current.trigger_point, s.current.side);
    v.focus = v.current;
    s.holds.forEach(function (h) {
      learn(h.end || h.start);
      v.holds.push({
        point: h.trigger_point, side: h.side, number: h.number, pressure: h.pressure,
        start: Date.parse(h.start), end: h.end ? Date.parse(h.end) : null,
        seconds: h.seconds, endedBy: h.ended_by, stoppedBy: h.stopped_by,
        feedback: h.feedback.map(function (f) { return { kind: f.kind, second: f.second, by: f.by, id: f.event_id }; }),
      });
    });
    var a = s.active_hold;
    if (a) {
      v.active = v.holds.filter(function (h) { return h.end === null; })[0] || null;
      if (!v.active) {
        v.active = {
          point: a.trigger_point, side: a.side, number: a.number, pressure: a.pressure,
          start: Date.parse(a.start), end: null, seconds: null, endedBy: null,
          feedback: a.feedback.map(function (f) { return { kind: f.kind, second: f.second, by: f.by, id: f.event_id }; }),
        };
        v.holds.push(v.active);
      }
      v.active.longest = a.longest;
    }
    s.points.forEach(function (p) {
      v.points[key(p.trigger_point, p.side)] = {
        before: p.before ? p.before.tender : null,
        after: p.after ? p.after.tender : null,
        ppt_before: p.before ? p.before.ppt : null,
        ppt_after: p.after ? p.after.ppt : null,
        skipped: p.skipped,
      };
    });
    if (v.focus < 0 && v.status === "ended" && lastFocus >= 0 && lastFocus < plan.length) {
      v.focus = lastFocus; // the session ended here: stay on this point
    }
    if (v.focus < 0) {
      // No current point (none chosen yet, or the last one skipped): the first still to do.
      v.focus = 0;
      for (var i = 0; i < plan.length; i++) {
        var m = v.points[key(plan[i].point, plan[i].side)];
        var done = v.holds.some(function (h) { return h.point === plan[i].point && h.side === plan[i].side; });
        if (!(m && m.skipped) && !done) { v.focus = i; break; }
      }
    }
    return v;
  }

  function endHold(v, at, by) {
    var h = v.active;
    if (!h) return;
    h.end = at;
    h.seconds = Math.max(0, Math.floor((at - h.start) / 1000));
    h.endedBy = by;
    v.active = null;
  }

  // One event applied to the view as the server would (docs/session.md), for the taps
  // the server has not answered yet.
  function applyLocal(v, e) {
    var at = Date.parse(e.at);
    var f = e.fields || {};
    if (e.kind === "go-to-point") {
      v.current = v.focus = indexOf(f.trigger_point, f.side);
      var was = v.points[key(f.trigger_point, f.side)];
      if (was) was.skipped = null; // going to a skipped point takes the skip back
    } else if (e.kind === "add-point") {
      if (indexOf(f.trigger_point, f.side) < 0) plan.push(addedEntry(f.trigger_point, f.side));
    } else if (e.kind === "skip-point") {
      var sk = key(f.trigger_point, f.side);
      v.points[sk] = v.points[sk] || { before: null, after: null, skipped: null };
      v.points[sk].skipped = f.reason;
      v.focus = indexOf(f.trigger_point, f.side);
      if (v.current === v.focus) v.current = -1;
    } else if (e.kind === "start-hold" && v.current >= 0 && !v.active) {
      var p = plan[v.current];
      var n = v.holds.filter(function (h) { return h.point === p.point && h.side === p.side; }).length;
      v.active = {
        point: p.point, side: p.side, number: n + 1, pressure: f.pressure, start: at, end: null,
        seconds: null, endedBy: null, feedback: [], longest: p.longest,
      };
      v.holds.push(v.active);
    } else if (e.kind === "feedback" && v.active) {
      v.active.feedback.push({ kind: f.kind, by: f.by || "client", second: Math.max(0, Math.floor((at - v.active.start) / 1000)) });
      if (f.kind === "stop") { endHold(v, at, "stop"); v.holds[v.holds.length - 1].stoppedBy = f.by || "client"; }
    } else if (e.kind === "release-hold") {
      endHold(v, at, "release");
    } else if (e.kind === "tenderness" && v.current >= 0) {
      var k = key(plan[v.current].point, plan[v.current].side);
      v.points[k] = v.points[k] || { before: null, after: null, skipped: null };
      v.points[k][f.when] = f.value;
      v.points[k]["ppt_" + f.when] = f.ppt === undefined ? null : f.ppt;
    } else if (e.kind === "pain-now") {
      v.pain[f.when] = f.value;
    }
  }

  // ------------------------------------------------------------------ points added on the way
  // Their technique and pressure, as chosen on this device (the server's points name only
  // the point and side; another device's added point takes its last hold's technique).
  var ADDED_KEY = "myomap.session." + root.dataset.visit + ".added";
  function loadAdded() {
    try { return JSON.parse(localStorage.getItem(ADDED_KEY) || "{}"); } catch (e) { return {}; }
  }
  var chosen = loadAdded();
  function saveAdded() {
    try { localStorage.setItem(ADDED_KEY, JSON.stringify(chosen)); } catch (e) { /* kept in memory */ }
  }

  // Every trigger point of the picker, also those a search has taken out of the list.
  var TP_OPTIONS = Array.prototype.slice.call($("add-tp").options);
  function option(select, value) {
    var all = select === "add-tp" ? TP_OPTIONS : $(select).options;
    return Array.prototype.filter.call(all, function (o) { return o.value === value; })[0] || null;
  }

  // The picker narrowed to the points where each word typed starts a word of the point's
  // name, its muscle's name or the muscle's other names (any case, any accents: "glut
  // med", "ql", "hamstr"); those whose name reads as typed come first, then those whose
  // name holds every word, then those found by the muscle's other names.
  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function words(text) { return fold(text).split(/[^a-z0-9]+/).filter(Boolean); }
  var FOUND_BY = TP_OPTIONS.map(function (o) { return { name: words(o.textContent), also: words(o.dataset.search) }; });
  function starts(tokens, word) { return tokens.some(function (t) { return t.indexOf(word) === 0; }); }
  function rank(found, typed) {
    var all = found.name.concat(found.also);
    if (!typed.every(function (w) { return starts(all, w); })) return -1;
    for (var i = 0; i + typed.length <= found.name.length; i++) {
      if (typed.every(function (w, j) { return found.name[i + j].indexOf(w) === 0; })) return 0;
    }
    return typed.every(function (w) { return starts(found.name, w); }) ? 1 : 2;
  }
  function findPoints() {
    var typed = $("add-tp-find").value.trim();
    var asked = words(typed);
    var picker = $("add-tp");
    var was = picker.value;
    var ranked = [];
    TP_OPTIONS.forEach(function (o, i) {
      var r = asked.length ? rank(FOUND_BY[i], asked) : 0;
      if (r >= 0) ranked.push({ o: o, r: r, i: i });
    });
    ranked.sort(function (a, b) { return a.r - b.r || a.i - b.i; });
    var shown = ranked.map(function (x) { return x.o; });
    picker.replaceChildren.apply(picker, shown);
    // The best match is chosen; the search cleared, the point chosen before stays chosen.
    if (asked.length || !was) picker.selectedIndex = shown.length ? 0 : -1;
    else picker.value = was;
    var total = TP_OPTIONS.length;
    $("add-tp-found").textContent = !asked.length ? total + " trigger points"
      : shown.length ? shown.length + " of " + total + " match" + (shown.length === 1 ? "es" : "")
      : "No trigger point matches “" + typed + "”: try part of the muscle's name.";
    $("add-tp-found").classList.toggle("refused", !!asked.length && !shown.length);
    render();
  }

  function sidedName(name, side) {
    if (side === "midline") return name + ", midline";
    var lower = name.length > 1 && name[1] !== name[1].toLowerCase() ? name : name.charAt(0).toLowerCase() + name.slice(1);
    return side.charAt(0).toUpperCase() + side.slice(1) + " " + lower;
  }

  // The technique's longest hold at this pressure, from the server's
  // "light:90 moderate:90 deep:60" (none known: null, and no hold starts).
  function longestAt(limits, pressure) {
    var found = null;
    (limits || "").split(" ").forEach(function (pair) {
      var at = pair.split(":");
      if (at[0] === pressure) found = parseInt(at[1], 10) || null;
    });
    return found;
  }

  function addedEntry(point, side) {
    var tp = option("add-tp", point);
    var pick = chosen[key(point, side)] || {};
    if (!pick.technique && server) {
      server.holds.forEach(function (h) {
        if (h.trigger_point === point && h.side === side) pick = { technique: h.technique, pressure: h.pressure };
      });
    }
    var t = option("add-technique", pick.technique || "") || $("add-technique").options[0];
    var pressure = pick.pressure || "moderate";
    var number = plan.length + 1;
    var entry = {
      point: point, side: side, added: true,
      name: tp ? sidedName(tp.dataset.name, side) : point,
      location: tp ? tp.dataset.location : "",
      technique: t.value, techniqueName: t.textContent, pressure: pressure,
      hold: parseInt(t.dataset.hold, 10) || 0, repetitions: 1, number: String(number),
      zones: tp ? (tp.dataset["zones" + (side === "right" ? "Right" : side === "bilateral" ? "Bilateral" : "Left")] || "").split(" ").filter(Boolean) : [],
      longest: longestAt(t.dataset.longest, pressure),
      steps: steps(t.dataset.steps),
    };
    var li = document.createElement("li");
    li.id = "point-" + number;
    li.className = "added";
    var strong = document.createElement("strong");
    strong.textContent = entry.name;
    var side_ = document.createElement("span");
    side_.className = "muted";
    side_.textContent = " (" + side + ") added on the way";
    li.append(strong, side_, document.createElement("br"),
      entry.techniqueName + ", " + entry.pressure + " pressure, hold " + entry.hold + " s");
    ["point-done", "point-skipped muted"].forEach(function (cls) {
      var span = document.createElement("span");
      span.className = cls;
      span.hidden = true;
      li.append(" ", span);
    });
    $("session-plan").appendChild(li);
    entry.li = li;
    return entry;
  }

  // The added points: the server's, then those queued here.
  function syncAdded() {
    plan.slice(planned.length).forEach(function (q) { q.li.remove(); });
    plan = planned.slice();
    var want = [];
    if (server) server.points.forEach(function (p) { if (!p.planned) want.push([p.trigger_point, p.side]); });
    outbox.items.forEach(function (e) { if (e.kind === "add-point") want.push([e.fields.trigger_point, e.fields.side]); });
    want.forEach(function (w) { if (indexOf(w[0], w[1]) < 0) plan.push(addedEntry(w[0], w[1])); });
  }

  function addPoint() {
    if (!view || view.active || view.status !== "running") return;
    var point = $("add-tp").value;
    if (!point) { message("Choose the trigger point to add: none matches what is typed in “Find it”.", true); return; }
    var side = $("add-side").value;
    if (!side) {
      message("Choose the side of the point to add: left, right, bilateral or midline.", true);
      $("add-side").focus();
      return;
    }
    var found = indexOf(point, side);
    if (found < 0) {
      chosen[key(point, side)] = { technique: $("add-technique").value, pressure: $("add-pressure").value };
      saveAdded();
      tap("add-point", { trigger_point: point, side: side });
      found = indexOf(point, side);
    } else {
      message("That point is already in the session: going to it.");
    }
    goTo(found);
    $("add-point").open = false;
    showControls();
  }

  // A point chosen from below the runner (the plan's list, a point found on the way): the
  // page comes back to the point and its Start / Release / Stop. The whole point card with
  // the hold's card if both fit the screen, else from the point's name, else the hold's.
  function showControls() {
    var hold = $("hold").getBoundingClientRect();
    var room = window.innerHeight || document.documentElement.clientHeight;
    var gap = 8;
    var tops = [$("current").getBoundingClientRect().top, $("current-name").getBoundingClientRect().top];
    for (var i = 0; i < tops.length; i++) {
      var top = Math.min(tops[i], hold.top);
      var bottom = Math.max(hold.bottom, tops[i]);
      if (bottom - top + 2 * gap > room) continue;
      if (top < gap) window.scrollBy(0, top - gap);
      else if (bottom > room - gap) window.scrollBy(0, bottom - room + gap);
      return;
    }
    $("hold").scrollIntoView({ block: "nearest" });
  }

  function rebuild() {
    syncAdded();
    alertNew(server);
    view = fromServer(server);
    if (view.status === "running") outbox.items.forEach(function (e) { applyLocal(view, e); });
    render();
  }

  // A banner and a sound for the client's stop, too much or worse sent from their phone.
  function alertNew(s) {
    var fresh = [];
    var known = alerted || {};
    (s ? s.holds : []).forEach(function (h) {
      h.feedback.forEach(function (f) {
        if (f.by !== "pad" || known[f.event_id]) return;
        known[f.event_id] = true;
        if (alerted && ALERTS[f.kind]) fresh.push(f.kind);
      });
    });
    var first = alerted === null;
    alerted = known;
    if (first || !fresh.length) return;
    var kind = fresh.indexOf("stop") >= 0 ? "stop" : fresh[fresh.length - 1];
    var box = $("client-alert");
    $("client-alert-text").textContent = ALERTS[kind];
    box.className = "client-alert alert-" + kind;
    box.hidden = false;
    alarm(kind === "stop");
  }
  function dismissAlert() { $("client-alert").hidden = true; }

  // ------------------------------------------------------------------ taps
  function tap(kind, fields, at, field) {
    if (READ_ONLY || !view || view.status !== "running") return;
    if (kind !== "release-hold") enforceLimit();
    if (kind === "feedback" && !view.active) return; // the hold just ended at its limit
    var e = { event_id: window.MyomapOfflineQueue.newId(), kind: kind, at: new Date(at || clock()).toISOString(), fields: fields || {} };
    if (field) { pendingField[e.event_id] = field; said(field, "Sending…"); }
    taps += 1;
    outbox.push(e);
    applyLocal(view, e);
    render();
    flush();
  }

  // A hold may not outlast its technique's limit: at the limit the page releases it,
  // stamped with the limit's time (a later release would be refused).
  function enforceLimit() {
    var h = view && view.active;
    if (!h || !h.longest) return;
    var limit = h.start + h.longest * 1000;
    if (Date.now() + offset >= limit) {
      tap("release-hold", {}, Math.max(limit, latest));
    }
  }

  function goTo(index) {
    if (!view || view.active || index < 0 || index >= plan.length || index === view.current) return;
    clearSaid();
    tap("go-to-point", { trigger_point: plan[index].point, side: plan[index].side });
  }

  function startHold() {
    if (!view || view.active) return;
    if (view.current < 0) goTo(view.focus);
    var p = plan[view.current];
    if (!p || !p.longest) return;
    wakeAudio();
    dismissAlert();
    cued = false;
    stepCued = 0;
    tap("start-hold", { technique: p.technique, pressure: p.pressure });
  }

  // Skip the point shown, saying why, and go on to the next one still to do.
  function skip(reason) {
    if (!view || view.active) return;
    var index = view.focus;
    var p = plan[index];
    tap("skip-point", { trigger_point: p.point, side: p.side, reason: reason });
    for (var i = index + 1; i < plan.length; i++) {
      var m = view.points[key(plan[i].point, plan[i].side)];
      if (!(m && m.skipped)) { goTo(i); break; }
    }
    message("Skipped " + p.name + ": " + reason + ".");
  }

  function release() { if (view && view.active) tap("release-hold"); }

  // A tap of the client's feedback; `by` "therapist" for the therapist's own Stop (the red
  // button, Esc), else what the client said (the note tells the two apart).
  function feedback(kind, by) {
    if (!view || !view.active) return;
    tap("feedback", by ? { kind: kind, by: by } : { kind: kind });
    var button = document.querySelector('[data-feedback="' + kind + '"]');
    if (button) {
      button.classList.add("tapped");
      setTimeout(function () { button.classList.remove("tapped"); }, 600);
    }
  }

  // ------------------------------------------------------------------ the network
  var online = true;
  var retry = null;

  function request(method, url, body, tag) {
    var init = { method: method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (tag) init.headers["If-None-Match"] = tag;
    if (method !== "GET") {
      init.headers["Content-Type"] = "application/json";
      init.headers["X-CSRFToken"] = CSRF;
      init.body = JSON.stringify(body || {});
    }
    return fetch(url, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, ok: response.ok, data: data, tag: response.headers.get("ETag") };
      });
    });
  }

  function reason(answer) {
    var d = answer.data || {};
    if (typeof d.detail === "string") return d.detail;
    if (Array.isArray(d.detail) && d.detail.length) return d.detail[0].msg;
    return "the server answered " + answer.status;
  }

  function setOnline(yes) {
    online = yes;
    var net = $("net");
    net.textContent = yes ? "Online" : "Offline: taps are kept on this device";
    net.className = "net " + (yes ? "online" : "offline");
  }

  function later() {
    if (retry) return;
    retry = setTimeout(function () { retry = null; flush(); }, 3000);
  }

  // Send the queued taps, one at a time in order (offline-queue.js).
  function flush() {
    if (!outbox.drain(sendFirst) && !outbox.busy) render();
  }

  // Send one queued tap; a promise of whether to go on with the next.
  function sendFirst(e) {
    return request("POST", API + "/events", e).then(function (answer) {
      setOnline(true);
      if (answer.ok) {
        outbox.drop(e);
        server = answer.data.session;
      } else if (answer.status === 401 || answer.status === 403) {
        message("Not sent: " + reason(answer) + ". Sign in again; the taps stay on this device.", true);
        render();
        return false;
      } else if (answer.status >= 500) {
        later();
        render();
        return false;
      } else {
        outbox.drop(e); // refused: sending it again would be refused again
        if (pendingField[e.event_id]) {
          said(pendingField[e.event_id], "Not saved: " + reason(answer), true);
          delete pendingField[e.event_id];
        }
        var what = e.kind === "feedback" ? "“" + WORDS[e.fields.kind] + "”" : KINDS[e.kind] || e.kind;
        message("Not recorded (" + what + "): " + reason(answer) + ".", true);
        return refresh().then(function () { return true; });
      }
      if (outbox.items.length) { render(); return true; }
      rebuild();
      return false;
    }, function () {
      setOnline(false);
      later();
      render();
      return false;
    });
  }

  function refresh() {
    return request("GET", API).then(function (answer) {
      setOnline(true);
      if (answer.ok) {
        server = answer.data.session;
        rebuild();
      } else {
        message("The session could not be read: " + reason(answer) + ".", true);
      }
    }, function () {
      setOnline(false);
      rebuild();
      later();
    });
  }

  // Ask before a step that cannot be taken back (the session's end, another session).
  var confirmed = null;
  function confirmThen(text, yes, action) {
    var dialog = $("confirm-dialog");
    $("confirm-text").textContent = text;
    $("confirm-yes").textContent = yes;
    confirmed = action;
    if (typeof dialog.showModal === "function") dialog.showModal(); else if (window.confirm(text)) action();
    $("confirm-no").focus();
  }
  function closeConfirm(yes) {
    var action = confirmed;
    confirmed = null;
    $("confirm-dialog").close();
    if (yes && action) action();
  }

  function startSession() {
    if (READ_ONLY) return;
    request("POST", API).then(function (answer) {
      setOnline(true);
      if (!answer.ok) { message("The session did not start: " + reason(answer) + ".", true); return; }
      server = answer.data.session;
      outbox.clear(); // taps and added points of an earlier session are not this one's
      chosen = {};
      saveAdded();
      rebuild();
      keepAwake();
      if (view.current < 0) goTo(view.focus);
      message("Session started.", false, 4000);
    }, function () { setOnline(false); message("Offline: a session starts once the network is back.", true); });
  }

  function endSession() {
    if (!view || view.active) return;
    if (outbox.items.length) { message("Sending the last taps first…"); flush(); return; }
    request("POST", API + "/end").then(function (answer) {
      if (!answer.ok) { message("The session did not end: " + reason(answer) + ".", true); return; }
      server = answer.data.session;
      rebuild();
      message("Session ended. The note's draft can be written from it on the Note tab.");
    }, function () { setOnline(false); message("Offline: end the session once the network is back.", true); });
  }

  // ------------------------------------------------------------------ cues
  var audio = null;
  var cued = false;
  var stepCued = 0; // the pressure steps of the active hold already cued
  function wakeAudio() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    if (!audio) audio = new Context();
    if (audio.state === "suspended") audio.resume();
  }
  function beep() {
    if (audio) {
      [0, 0.35].forEach(function (delay) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.frequency.value = 880;
        gain.gain.value = 0.25;
        osc.connect(gain).connect(audio.destination);
        var t = audio.currentTime + delay;
        osc.start(t);
        osc.stop(t + 0.2);
      });
    }
    if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
  }
  // A pressure step: one shorter, lower tone and one short vibration (the end has two).
  function stepBeep() {
    if (audio) {
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.frequency.value = 660;
      gain.gain.value = 0.2;
      osc.connect(gain).connect(audio.destination);
      osc.start(audio.currentTime);
      osc.stop(audio.currentTime + 0.15);
    }
    if (navigator.vibrate) navigator.vibrate(150);
  }

  // The client's stop (or too much, worse) from their phone: three high tones, louder.
  function alarm(urgent) {
    wakeAudio();
    if (audio) {
      (urgent ? [0, 0.25, 0.5] : [0, 0.3]).forEach(function (delay) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = "square";
        osc.frequency.value = urgent ? 1320 : 990;
        gain.gain.value = 0.3;
        osc.connect(gain).connect(audio.destination);
        var t = audio.currentTime + delay;
        osc.start(t);
        osc.stop(t + 0.18);
      });
    }
    if (navigator.vibrate) navigator.vibrate(urgent ? [300, 100, 300, 100, 300] : [200, 100, 200]);
  }

  var wakeLock = null;
  function keepAwake() {
    if (!("wakeLock" in navigator) || wakeLock || document.visibilityState !== "visible") return;
    navigator.wakeLock.request("screen").then(function (lock) {
      wakeLock = lock;
      $("awake").textContent = "Screen kept awake";
      lock.addEventListener("release", function () { wakeLock = null; $("awake").textContent = ""; });
    }, function () { /* refused (battery saver): the screen may dim */ });
  }
  document.addEventListener("visibilitychange", function () {
    if (view && view.status === "running") keepAwake();
  });

  // ------------------------------------------------------------------ drawing
  var messageTimer = null;
  // A line in the status bar; `lasts` ms for a passing word ("Session started."), which
  // then goes away.
  function message(text, refused, lasts) {
    var m = $("message");
    m.textContent = text;
    m.className = "runner-message" + (refused ? " refused" : "");
    clearTimeout(messageTimer);
    if (lasts) messageTimer = setTimeout(function () { if (m.textContent === text) m.textContent = ""; }, lasts);
  }
  // A word beside a field: "Saved", or what is wrong with its value.
  function said(field, text, bad) {
    var out = $(field + "-said");
    var input = $(field);
    if (out) { out.textContent = text; out.className = "field-said" + (bad ? " bad" : text ? " good" : ""); }
    if (input) { if (bad) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid"); }
  }
  function clearSaid() {
    ["tender-before", "tender-after", "ppt-before", "ppt-after"].forEach(function (f) { said(f, ""); });
  }
  // The fields whose event the server now has: saved.
  function showSaved() {
    Object.keys(pendingField).forEach(function (id) {
      var waiting = outbox.items.some(function (e) { return e.event_id === id; });
      if (!waiting) { said(pendingField[id], "Saved ✓"); delete pendingField[id]; }
    });
  }
  function note(text) { $("timer-note").textContent = text; }

  // The current point's marker and its referral zones on the map (the others hidden).
  function drawMap(p) {
    var map = $("session-map");
    if (!map) return;
    map.querySelectorAll(".zone-essential, .zone-spillover").forEach(function (el) {
      el.classList.remove("zone-essential", "zone-spillover");
    });
    p.zones.forEach(function (zone) {
      var parts = zone.split(":");
      var region = document.getElementById("region-" + parts[0]);
      if (region) region.classList.add("zone-" + parts[1]);
    });
    map.querySelectorAll(".marker").forEach(function (marker) {
      marker.classList.toggle("is-current", marker.textContent.trim() === p.number);
    });
  }

  function describeHold(h) {
    var words = "Hold " + h.number + ": " + (h.end === null ? "active" : h.seconds + " s") + ", " + h.pressure;
    var stops = h.feedback.filter(function (f) { return f.kind === "stop"; });
    if (h.endedBy === "stop") {
      words += ", " + (STOPPED[h.stoppedBy] || STOPPED.client) + (stops.length ? " at " + stops[0].second + " s" : "");
    }
    var said = h.endedBy === "stop" ? h.feedback.filter(function (f) { return f.kind !== "stop"; }) : h.feedback;
    if (said.length) {
      // Taps of one kind in the same second said once, with their count ("too much ×5 at 1 s").
      var groups = [];
      said.forEach(function (f) {
        var last = groups[groups.length - 1];
        if (last && last.kind === f.kind && last.second === f.second) last.count += 1;
        else groups.push({ kind: f.kind, second: f.second, count: 1, pad: f.by === "pad" });
      });
      words += " — " + groups.map(function (g) {
        return WORDS[g.kind] + (g.count > 1 ? " ×" + g.count : "") + " at " + g.second + " s" + (g.pad ? " (phone)" : "");
      }).join(", ");
    }
    return words;
  }

  function render() {
    var v = view || fromServer(null);
    var running = v.status === "running" && !READ_ONLY;
    var p = v.current >= 0 ? plan[v.current] : null;
    var h = v.active;
    var at = v.focus >= 0 ? v.focus : 0;

    var waiting = outbox.items.length;
    $("queued").textContent = waiting ? waiting + " tap" + (waiting > 1 ? "s" : "") + " waiting to be sent" : "";
    $("start-session").hidden = READ_ONLY || v.status === "running" || v.status === "planned";
    $("start-session").textContent = v.status === "ended" ? "Start another session" : "Start session";
    $("end-session").hidden = !running;
    $("end-session").disabled = !!h;
    $("pad-open").hidden = !running;
    if (v.status === "running") lastFocus = at;
    $("session-status").textContent = {
      none: READ_ONLY ? "No session was recorded." : "Not started yet.",
      planned: "Starting…",
      running: "Session running.",
      ended: "Session ended" + (v.endedAt ? " at " + hhmm(new Date(v.endedAt)) : "") + ".",
    }[v.status] || "";

    if (v.status !== "running" && wakeLock) wakeLock.release(); // the session is over
    var shown = plan[at];
    var mine = v.points[key(shown.point, shown.side)] || {};
    $("current-count").textContent = "Point " + (at + 1) + " of " + plan.length + (p ? "" : v.status === "running" ? " (not started)" : "");
    // On a phone the point card and the hold's do not fit one screen: the hold's names it.
    $("hold-point").textContent = "Point " + (at + 1) + " of " + plan.length + ": " + shown.name;
    $("current-skipped").hidden = !mine.skipped;
    $("current-skipped").textContent = mine.skipped ? "Skipped: " + mine.skipped + ". Go to it again to treat it after all." : "";
    $("skip").disabled = !running || !!h || !!mine.skipped;
    $("current-name").textContent = shown.name;
    $("current-side").textContent = shown.side;
    $("current-location").textContent = shown.location;
    $("current-technique").textContent = shown.techniqueName;
    $("current-pressure").textContent = shown.pressure;
    var held = v.holds.filter(function (x) { return x.point === shown.point && x.side === shown.side && x.end !== null; }).length;
    $("current-hold").textContent = shown.longest
      ? shown.hold + " s planned (at most " + shown.longest + " s), " +
        (shown.repetitions > 1 ? shown.repetitions + " holds planned, " : "") + held + " done" +
        (shown.steps && shown.steps.length
          ? "; in " + (shown.steps.length + 1) + " pressure steps, cued at " + shown.steps.join(" s, ") + " s"
          : "")
      : "not a timed hold";
    drawMap(shown);
    $("previous").disabled = !running || !!h || at <= 0;
    $("next").disabled = !running || !!h || at >= plan.length - 1;
    if (!running || h) $("skip-reasons").hidden = true;
    $("add-go").disabled = !running || !!h || !$("add-tp").value;

    $("start-hold").disabled = !running || !!h || !shown.longest;
    $("release").disabled = !running || !h;
    $("stop").disabled = !running || !h;
    document.querySelectorAll("[data-feedback]").forEach(function (b) { b.disabled = !running || !h; });

    ["start", "end"].forEach(function (when) {
      var input = $("pain-" + when);
      input.disabled = !running;
      if (document.activeElement !== input) input.value = v.pain[when] === null || v.pain[when] === undefined ? "" : v.pain[when];
    });

    var k = shown ? key(shown.point, shown.side) : "";
    var measured = v.points[k] || {};
    ["before", "after"].forEach(function (when) {
      var input = $("tender-" + when);
      input.disabled = !running || !p;
      if (document.activeElement !== input) input.value = measured[when] === null || measured[when] === undefined ? "" : measured[when];
      var ppt = $("ppt-" + when);
      ppt.disabled = !running || !p;
      var known = measured["ppt_" + when];
      if (document.activeElement !== ppt) ppt.value = known === null || known === undefined ? "" : known;
    });

    var holds = v.holds.filter(function (x) { return shown && x.point === shown.point && x.side === shown.side; });
    var list = $("holds");
    list.replaceChildren();
    if (!holds.length) {
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = "None yet.";
      list.appendChild(none);
    }
    holds.forEach(function (x) {
      var li = document.createElement("li");
      li.textContent = describeHold(x);
      list.appendChild(li);
    });

    var s = v.suggestion;
    var box = $("suggestion");
    box.hidden = !s;
    if (s) {
      box.textContent = (SUGGESTS[s.action] || s.action) + (s.lighter ? " (" + s.lighter + ")" : "") +
        ": " + s.reports + " reports of too much or worse " + (s.where === "hold" ? "in this hold" : "on this point") +
        ". Evidence: " + s.evidence.replace(/-/g, " ") + "; sources: " +
        s.sources.map(function (id) { return CITATIONS[id] || id; }).join("; ") + ".";
    }

    plan.forEach(function (q, i) {
      q.li.classList.toggle("is-current", i === at);
      var m = v.points[key(q.point, q.side)];
      q.li.classList.toggle("is-skipped", !!(m && m.skipped));
      var why = q.li.querySelector(".point-skipped");
      why.hidden = !(m && m.skipped);
      why.textContent = m && m.skipped ? "skipped: " + m.skipped : "";
      var done = v.holds.filter(function (x) { return x.point === q.point && x.side === q.side && x.end !== null; }).length;
      var mark = q.li.querySelector(".point-done");
      mark.hidden = !done;
      mark.textContent = done ? " ✓ " + done + " hold" + (done > 1 ? "s" : "") : "";
    });
    showSaved();
    tick();
  }

  // What the timer's line says when no hold is active: how the shown point's last hold
  // ended, or nothing on a point without one (never "Holding…" once a hold is over).
  function restingNote() {
    var p = view && view.focus >= 0 ? plan[view.focus] : null;
    if (!p || !view) return "";
    var mine = view.holds.filter(function (x) { return x.point === p.point && x.side === p.side && x.end !== null; });
    var last = mine[mine.length - 1];
    if (!last) return "";
    if (last.endedBy === "stop") {
      return {
        therapist: "Stopped by you after " + last.seconds + " s.",
        pad: "Stopped by the client on their phone after " + last.seconds + " s.",
      }[last.stoppedBy] || "Stopped after " + last.seconds + " s: the client said stop.";
    }
    if (p.longest && last.seconds >= p.longest) return "Released at the " + p.longest + " s limit of this technique.";
    return "Released after " + last.seconds + " s.";
  }

  function hhmm(d) {
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
  }

  function tick() {
    var h = view && view.active;
    var p = view && view.focus >= 0 ? plan[view.focus] : plan[0];
    var planned = p ? p.hold : 0;
    var seconds = h ? Math.max(0, Math.floor((Date.now() + offset - h.start) / 1000)) : 0;
    if (!h && view && view.holds.length) {
      var last = view.holds[view.holds.length - 1];
      if (p && last.point === p.point && last.side === p.side) seconds = last.seconds || 0;
    }
    $("timer-seconds").textContent = String(seconds);
    $("timer-planned").textContent = String(planned);
    var bar = $("timer-bar");
    bar.max = planned || 1;
    bar.value = Math.min(seconds, planned || 1);
    var timer = $("timer");
    // Past the planned seconds: a warning colour (the hold goes on only until it releases).
    timer.classList.toggle("over", !!h && planned > 0 && seconds >= planned);
    if (h && planned > 0 && seconds >= planned && !cued) {
      cued = true;
      beep();
      note("The planned " + planned + " s are up: release when the point lets go.");
    } else if (h && seconds < planned) {
      var marks = p ? p.steps : [];
      var passed = 0;
      while (passed < marks.length && seconds >= marks[passed]) passed++;
      if (passed > stepCued) {
        stepCued = passed;
        stepBeep();
      }
      note(passed
        ? "Pressure step " + (passed + 1) + " of " + (marks.length + 1) + ": check with the client, then take up the new barrier."
        : "Holding…");
    } else if (!h) {
      note(restingNote());
    }
    if (h) enforceLimit();
  }
  setInterval(function () { if (view && view.active) tick(); }, 250);

  // ------------------------------------------------------------------ wiring
  $("start-session").addEventListener("click", function () {
    if (view && view.status === "ended") {
      confirmThen("Start another session of this visit? The one that ended stays in the record, and the note covers both.", "Start another session", startSession);
    } else {
      startSession();
    }
  });
  $("end-session").addEventListener("click", function () {
    if (!view || view.active) return;
    confirmThen("End the session now? Nothing more can be recorded in it, and the client's phone link stops working.", "End session", endSession);
  });
  $("confirm-yes").addEventListener("click", function () { closeConfirm(true); });
  $("confirm-no").addEventListener("click", function () { closeConfirm(false); });
  $("confirm-dialog").addEventListener("cancel", function () { confirmed = null; });
  $("client-alert-ok").addEventListener("click", dismissAlert);
  // The client's phone: the pad link's QR code and link in a dialog over the runner (the
  // session goes on behind it; the page is not left).
  function el(tag, cls, text) {
    var x = document.createElement(tag);
    if (cls) x.className = cls;
    if (text) x.textContent = text;
    return x;
  }
  $("pad-open").addEventListener("click", function () {
    var body = $("pad-dialog-body");
    body.replaceChildren(el("p", "", "Making the link…"));
    $("pad-dialog").showModal();
    fetch(root.dataset.pad, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      return r.json().then(function (d) { return { ok: r.ok, d: d }; });
    }).then(function (a) {
      body.replaceChildren();
      if (!a.ok || !a.d.link) { body.append(el("p", "refused", a.d.detail || "No session is open, so there is no link.")); return; }
      var d = a.d;
      // The code and its short link first (beside the words on a wide screen, above them
      // on a phone), so they are on the screen however long the words are.
      var code = el("div", "pad-code");
      var img = el("img", "pad-qr");
      img.id = "pad-dialog-qr";
      img.src = d.qr;
      img.width = 220;
      img.height = 220;
      img.alt = "QR code of the client's feedback pad link";
      code.append(img);
      var p = el("p", "pad-short", "Short link: ");
      var a_ = el("a", "", d.short || d.link);
      a_.id = "pad-dialog-link";
      a_.href = d.short || d.link;
      a_.target = "_blank";
      a_.rel = "noopener noreferrer";
      p.append(a_);
      code.append(p);
      var words = el("div", "pad-words");
      if (d.unreachable) words.append(el("p", "pad-warning", d.unreachable));
      words.append(el("p", "", "The client scans the code with their own phone, or types the short link. The phone shows the current point's name only, nothing else of the record."));
      words.append(el("p", "muted", "It works until this session ends, and until " + d.until + " at most. Give it to the client only."));
      body.append(code, words);
    }, function () {
      body.replaceChildren(el("p", "refused", "Offline: the link can be made once the network is back."));
    });
  });
  $("pad-close").addEventListener("click", function () { $("pad-dialog").close(); });
  $("session-plan").addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".plan-go") : null;
    if (!button || !view || view.status !== "running" || view.active) return;
    var li = button.closest("li");
    for (var i = 0; i < plan.length; i++) if (plan[i].li === li) { goTo(i); showControls(); return; }
  });
  $("start-hold").addEventListener("click", startHold);
  $("release").addEventListener("click", release);
  $("stop").addEventListener("click", function () { feedback("stop", "therapist"); });
  $("previous").addEventListener("click", function () { goTo(view.focus - 1); });
  $("next").addEventListener("click", function () { goTo(view.focus + 1); });
  $("add-go").addEventListener("click", addPoint);
  $("add-tp-find").addEventListener("input", findPoints);
  $("add-tp-find").addEventListener("keydown", function (event) {
    // Enter (a phone's "done") goes on to the narrowed list, where the point is chosen.
    if (event.key === "Enter") { event.preventDefault(); $("add-tp").focus(); }
  });
  $("skip").addEventListener("click", function () {
    var box = $("skip-reasons");
    box.hidden = !box.hidden;
    $("skip").setAttribute("aria-expanded", String(!box.hidden));
  });
  document.querySelectorAll("[data-skip-reason]").forEach(function (b) {
    b.addEventListener("click", function () {
      var other = $("skip-other");
      var why = b.dataset.skipReason || other.value.trim();
      if (!why) { other.focus(); message("Say why the point is skipped.", true); return; }
      skip(why);
      other.value = "";
      $("skip-reasons").hidden = true;
      $("skip").setAttribute("aria-expanded", "false");
      showControls(); // the next point's name, back in view
    });
  });
  document.querySelectorAll("[data-feedback]").forEach(function (b) {
    b.addEventListener("click", function () { feedback(b.dataset.feedback); });
  });
  // A 0-10 value, recorded when the field is left with a new one.
  function scale(input, what, known, send) {
    input.addEventListener("change", function () {
      var raw = input.value.trim();
      var value = Number(raw);
      if (raw === "" || !Number.isInteger(value) || value < 0 || value > 10) {
        said(input.id, what + " is a whole number from 0 to 10" + (raw === "" ? "." : ", not " + raw + ": not saved."), true);
        return;
      }
      said(input.id, "");
      if (view && known() === value) return; // the same value again: nothing new
      send(value);
    });
  }
  function measuredHere() {
    var p = view && view.current >= 0 ? plan[view.current] : null;
    return p ? view.points[key(p.point, p.side)] || {} : {};
  }
  ["before", "after"].forEach(function (when) {
    scale($("tender-" + when), "Tenderness", function () { return measuredHere()[when]; }, function (value) {
      var ppt = measuredHere()["ppt_" + when];
      tap("tenderness", { when: when, value: value, ppt: ppt === undefined ? null : ppt }, null, "tender-" + when);
    });
    // The algometer's pressure pain threshold, kg/cm², recorded with the tenderness.
    $("ppt-" + when).addEventListener("change", function (event) {
      var raw = event.target.value.trim().replace(",", ".");
      var ppt = raw === "" ? null : Number(raw);
      var field = "ppt-" + when;
      if (ppt !== null && (isNaN(ppt) || ppt < 0 || ppt > 20)) {
        said(field, "A number of kg/cm² from 0 to 20: not saved.", true);
        return;
      }
      var here = measuredHere();
      if (here[when] === null || here[when] === undefined) {
        said(field, "Record the tenderness " + when + " (0–10) first.", true);
        return;
      }
      said(field, "");
      if ((here["ppt_" + when] === undefined ? null : here["ppt_" + when]) === ppt) return;
      tap("tenderness", { when: when, value: here[when], ppt: ppt }, null, field);
    });
  });
  ["start", "end"].forEach(function (when) {
    scale($("pain-" + when), "Pain now", function () { return view.pain[when]; },
      function (value) { tap("pain-now", { when: when, value: value }, null, "pain-" + when); });
  });

  // A field the therapist types in (a measurement, the skip's reason, a list): its keys
  // are its own. Only Esc still acts there, and only to stop a running hold (safety).
  var NOT_TYPED = ["button", "checkbox", "radio", "range", "submit", "reset", "image", "color", "file"];
  function typing(t) {
    if (!t || !t.closest) return false;
    if (t.isContentEditable || t.closest("textarea, select")) return true;
    return t.tagName === "INPUT" && NOT_TYPED.indexOf((t.type || "text").toLowerCase()) < 0;
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing || !view) return;
    if ($("confirm-dialog").open || $("pad-dialog").open) return; // the dialog's own keys
    if (typing(event.target)) {
      if (event.key === "Escape" && view.active) { feedback("stop", "therapist"); event.preventDefault(); }
      return;
    }
    if (ownSpace(event)) return; // Space presses the focused button
    var handled = true;
    if (event.key === " " || event.key === "Spacebar") {
      if (view.active) release(); else startHold();
    } else if (event.key === "Escape") {
      if (view.active) feedback("stop", "therapist");
    } else if (event.key === "ArrowRight") {
      goTo(view.focus + 1);
    } else if (event.key === "ArrowLeft") {
      goTo(view.focus - 1);
    } else if (/^[1-9]$/.test(event.key) && Number(event.key) <= FEEDBACK.length) {
      feedback(FEEDBACK[Number(event.key) - 1]);
    } else {
      handled = false;
    }
    if (handled) event.preventDefault();
  });
  // Space on a button reached with the keyboard presses that button; on the hold buttons
  // (or nowhere) it starts or releases the hold. A button tapped or clicked gives up its
  // focus, so Space after tapping "Next point" starts the hold rather than moving on.
  // A disclosure's summary (the point found on the way, a point's pressure steps) opens
  // with Space as a button does.
  var HOLD_BUTTONS = ["start-hold", "release", "stop"];
  function ownSpace(event) {
    var t = event.target;
    var own = t && (t.tagName === "BUTTON" || t.tagName === "SUMMARY");
    return (event.key === " " || event.key === "Spacebar") && own && HOLD_BUTTONS.indexOf(t.id) < 0;
  }
  document.addEventListener("keyup", function (event) {
    var t = event.target;
    if (event.key === " " && t && t.tagName === "BUTTON" && !ownSpace(event)) event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    var b = event.target.closest ? event.target.closest("button") : null;
    if (b && event.detail > 0 && root.contains(b) && !b.closest("dialog")) b.blur();
  });

  window.addEventListener("online", function () { setOnline(true); flush(); });
  window.addEventListener("offline", function () { setOnline(false); });

  // While a session runs, read it again every POLL_MS: taps from the client's own phone
  // (the feedback pad) reach this screen within about half a second. Only when nothing of
  // this device is waiting to be sent, so a read never races the device's own taps.
  // An answer is used only if this device tapped nothing meanwhile: a read that left
  // before a tap would otherwise put the screen back to where it was before the tap.
  var polling = false;
  var shownTag = null; // the ETag of the state a read last put on the screen
  setInterval(function () {
    if (polling || outbox.busy || document.hidden || outbox.items.length || !view || view.status !== "running") return;
    polling = true;
    var asked = taps;
    request("GET", API, null, shownTag).then(function (answer) {
      polling = false;
      if (answer.status === 304) return; // nothing new since the state shown
      if (answer.ok && asked === taps && !outbox.items.length && !outbox.busy) {
        server = answer.data.session;
        shownTag = answer.tag;
        rebuild();
      }
    }, function () { polling = false; });
  }, POLL_MS);

  render();
  refresh().then(function () {
    if (view && view.status === "running") keepAwake();
    flush();
  });
})();
