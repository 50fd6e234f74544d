// A device's events not yet recorded by the server, for the session runner (session.js)
// and the client's feedback pad (pad.js). Each event carries an id made here, so the
// server records a resent one once. The queue is kept in localStorage under its key, so
// a reload or a lost network loses nothing (only in memory where storage is refused:
// private mode, or full), and its events are sent one at a time, in order (`drain`).
(function () {
  "use strict";

  // A random id (RFC 4122 version 4). crypto.randomUUID needs https; getRandomValues
  // does not, so a page served over the clinic's plain network still gets one.
  function newId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    var b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // `key`: where in localStorage; `idField`: the name of each event's id ("event_id").
  function OfflineQueue(key, idField) {
    this.key = key;
    this.idField = idField;
    this.items = this.load();
    this.busy = false; // an event is being sent
  }

  OfflineQueue.prototype.load = function () {
    try {
      var list = JSON.parse(localStorage.getItem(this.key) || "[]");
      return Array.isArray(list) ? list : [];
    } catch (e) {
      return [];
    }
  };

  OfflineQueue.prototype.save = function () {
    try {
      localStorage.setItem(this.key, JSON.stringify(this.items));
    } catch (e) {
      // Private mode or full: the queue still lives in memory for this page.
    }
  };

  OfflineQueue.prototype.push = function (item) {
    this.items.push(item);
    this.save();
  };

  // Take an event out: the server has it, or refused it for good.
  OfflineQueue.prototype.drop = function (item) {
    var field = this.idField;
    this.items = this.items.filter(function (q) { return q[field] !== item[field]; });
    this.save();
  };

  OfflineQueue.prototype.clear = function () {
    this.items = [];
    this.save();
  };

  // Send the first event with `send(item)`, a promise of whether to go on with the next
  // (`send` drops the event once the server has it, or refused it for good; one it keeps
  // stays first, to be sent again later). One at a time: false when a send is already
  // under way or nothing is waiting, true when one starts.
  OfflineQueue.prototype.drain = function (send) {
    var self = this;
    if (self.busy || !self.items.length) return false;
    self.busy = true;
    Promise.resolve(self.items[0]).then(send).then(function (more) {
      self.busy = false;
      if (more) self.drain(send);
    }, function () {
      self.busy = false;
    });
    return true;
  };

  OfflineQueue.newId = newId;
  window.MyomapOfflineQueue = OfflineQueue;
})();
