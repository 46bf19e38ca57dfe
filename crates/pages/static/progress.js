// Moves the progress bar of a long-running task: polls the task's status
// (the element's data-status-url) and opens the task's result once it is
// over. Without it the page refreshes itself (a <noscript> refresh).
(function () {
  "use strict";
  var box = document.querySelector("[data-status-url]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[role=status]");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.ok ? r.json() : Promise.reject(r.status);
      })
      .then(function (s) {
        if (bar) {
          bar.value = s.percent;
          bar.textContent = s.percent + "%";
        }
        if (text && text.textContent !== s.text) {
          text.textContent = s.text;
        }
        if (s.done) {
          window.location.assign(s.next);
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 3000);
      });
  }
  window.setTimeout(poll, 500);
})();
