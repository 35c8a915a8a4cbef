// Progressive enhancement only; every page works without this file.
// Loaded with `defer` from our own origin (the Content-Security-Policy forbids inline scripts).
(function () {
  'use strict';

  // ---------------------------------------------------------------------------------------------
  // Quick exit: the "Leave quickly" link replaces this page in the history, so Back does not return
  // here. Pressing Escape twice within one second does the same.
  // ---------------------------------------------------------------------------------------------
  var quickExit = document.querySelector('[data-quick-exit]');
  if (quickExit) {
    var hint = quickExit.querySelector('[data-quick-exit-hint]');
    if (hint) hint.hidden = false;

    var leave = function () {
      location.replace(quickExit.href);
    };

    quickExit.addEventListener('click', function (event) {
      event.preventDefault();
      leave();
    });

    var ESCAPE_WINDOW_MS = 1000;
    var lastEscape = 0;
    document.addEventListener('keydown', function (event) {
      if (event.key !== 'Escape' && event.key !== 'Esc') return;
      var now = Date.now();
      if (now - lastEscape <= ESCAPE_WINDOW_MS) {
        lastEscape = 0;
        leave();
      } else {
        lastEscape = now;
      }
    });
  }
})();
