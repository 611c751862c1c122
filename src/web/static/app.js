// portabel's one script: progressive enhancement only. Every page works without it.
'use strict';
(function () {
  // A form sent back with errors: move focus to the summary, so screen readers announce it.
  var summary = document.querySelector('[data-focus]');
  if (summary) summary.focus();

  // A job in progress (an import, an export package): follow it live, then show the finished page.
  var live = document.querySelector('[data-poll]');
  if (live) {
    var url = live.getAttribute('data-poll');
    var bar = live.querySelector('progress');
    var text = live.querySelector('[data-progress-text]');
    var tick = function () {
      fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then(function (res) {
          return res.ok ? res.json() : Promise.reject(res.status);
        })
        .then(function (p) {
          if (bar) {
            if (p.total) {
              bar.max = p.total;
              bar.value = p.processed;
            } else {
              bar.removeAttribute('value');
            }
          }
          if (text && p.text) text.textContent = p.text;
          if (p.done) {
            window.location.reload();
            return;
          }
          setTimeout(tick, 700);
        })
        .catch(function () {
          setTimeout(tick, 3000);
        });
    };
    setTimeout(tick, 500);
  }

  // After sign-in: follow on to the page asked for (the meta refresh does the same without script).
  var follow = document.querySelector('a[data-follow]');
  if (follow) window.location.replace(follow.getAttribute('href'));
})();
