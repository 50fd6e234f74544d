// The pain diary form: a fresh entry id made on the phone for each entry, so a form
// sent twice (a double tap, a retry) is recorded once.
(function () {
  "use strict";
  var id = document.getElementById("diary-entry-id");
  var Queue = window.MyomapOfflineQueue;
  if (id && !id.value && Queue) id.value = Queue.newId();
})();
