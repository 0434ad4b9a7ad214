// A page that follows work the task worker is doing (an uploaded file's import) asks its own address again every few
// seconds and shows the outcome as soon as the work has ended, so that nobody has to press "Check again" (which still
// works without JavaScript). The work has ended when the page it gets back no longer has the link; it stops asking
// after about ten minutes. It only reads: asking changes nothing on the server.
(function () {
  "use strict";
  var link = document.querySelector("a[data-check-again]");
  if (!link || !window.fetch) {
    return;
  }
  var target = new URL(link.href, window.location.href);
  var asked = 0;

  function show() {
    var here = window.location;
    if (target.pathname === here.pathname && target.search === here.search) {
      here.reload();
    } else {
      here.assign(target.href);
    }
  }

  function ask() {
    asked += 1;
    window
      // The header tells the server this is not the person at work, so the idle limit keeps counting.
      .fetch(target.href, {
        credentials: "same-origin",
        headers: { Accept: "text/html", "X-Coalition-Background": "1" },
      })
      .then(function (response) {
        return response.ok ? response.text() : "";
      })
      .then(function (html) {
        if (html && html.indexOf("data-check-again") === -1) {
          show();
        } else if (asked < 120) {
          window.setTimeout(ask, asked < 10 ? 2000 : 5000);
        }
      })
      .catch(function () {
        if (asked < 120) {
          window.setTimeout(ask, 5000);
        }
      });
  }

  window.setTimeout(ask, 1500);
})();
