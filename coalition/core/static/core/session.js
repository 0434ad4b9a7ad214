/* The warning before the idle limit signs a person out (WCAG 2.2.1 Timing Adjustable).

   The page says how many seconds its session has left (data-session-seconds-left on <body>, counted by the server
   from when it last saw the session) and how long before the end to warn (data-session-warning-seconds). A few
   minutes before the end, the alert region gets the warning and a "Stay signed in" button; the button's form POSTs
   to the keep-alive address with the page's CSRF token, and its 204 answer says how long the session now has.
   Other tabs of the same browser share the session, so each tab tells the others (localStorage) when it has moved
   the end. Without this script nothing changes: the server still signs the person out at the limit. */
(function () {
  "use strict";

  const body = document.body;
  const region = document.getElementById("session-warning");
  if (!region || body.dataset.sessionSecondsLeft === undefined) {
    return;
  }
  const SHARED_KEY = "coalition.session.endsAt";
  const SECONDS_LEFT_HEADER = "Coalition-Session-Seconds-Left";
  const warnAhead = Number(body.dataset.sessionWarningSeconds || 0) * 1000;
  let endsAt = Date.now() + Number(body.dataset.sessionSecondsLeft) * 1000;
  let shown = "";
  let timer = 0;
  let focusBefore = null;

  function share() {
    try {
      window.localStorage.setItem(SHARED_KEY, String(endsAt));
    } catch (error) {
      /* storage refused (private mode, quota): each tab keeps its own count */
    }
  }

  function show(name) {
    if (shown === name) {
      return;
    }
    shown = name;
    const template = name && document.getElementById(`session-warning-${name}`);
    region.replaceChildren(template ? template.content.cloneNode(true) : "");
    const time = region.querySelector("time");
    if (time) {
      const end = new Date(endsAt);
      time.dateTime = end.toISOString();
      time.textContent = end.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    }
  }

  function schedule() {
    window.clearTimeout(timer);
    const now = Date.now();
    if (now >= endsAt) {
      show("ended");
      return;
    }
    if (now >= endsAt - warnAhead) {
      if (shown !== "soon") {
        focusBefore = document.activeElement;
      }
      show("soon");
      timer = window.setTimeout(schedule, endsAt - now);
      return;
    }
    if (shown !== "kept") {
      show("");
    }
    timer = window.setTimeout(schedule, endsAt - warnAhead - now);
  }

  async function stay(form) {
    let response = null;
    try {
      response = await window.fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        redirect: "manual",
      });
    } catch (error) {
      return; /* offline: the warning stays, the button can be pressed again */
    }
    if (response.status !== 204) {
      endsAt = Date.now(); /* already signed out: the server sent the sign-in page */
      schedule();
      return;
    }
    endsAt = Date.now() + Number(response.headers.get(SECONDS_LEFT_HEADER) || 0) * 1000;
    share();
    show("kept");
    schedule();
    /* Back where the person was (typing in a form, most likely), not on the button that has just gone. */
    if (focusBefore && focusBefore !== document.body && document.contains(focusBefore)) {
      focusBefore.focus();
    }
    window.setTimeout(() => {
      if (shown === "kept") {
        show("");
      }
    }, 5000);
  }

  region.addEventListener("submit", (event) => {
    event.preventDefault();
    stay(event.target);
  });

  window.addEventListener("storage", (event) => {
    if (event.key === SHARED_KEY && Number(event.newValue) > endsAt) {
      endsAt = Number(event.newValue);
      schedule();
    }
  });

  /* Timers do not run while a laptop sleeps: look again when the page is seen. */
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      schedule();
    }
  });

  share();
  schedule();
})();
