/* Drafts of what a signed-in person types into a form, kept in this browser tab only (sessionStorage: never sent
   anywhere, gone when the tab closes), so that text typed before a session expired is not lost.

   A draft is saved as the person types, under the page's path and the form (its action and its place among the
   forms with that action). When the form is sent the draft is marked "sent". The next page decides what that meant:
   - a page marked data-form-refused (the platform's error pages: a form whose security token has expired, a server
     error, a request refused or not understood): the form was not taken — the draft is kept as "interrupted", so
     that going back and reloading, as those pages say to do, puts the text back;
   - a page for nobody signed in (the sign-in page the server answers with when the session has expired, then the
     second-factor page): the form was not taken either — the draft is kept as "interrupted";
   - any other page for a signed-in person: the server took the form (done, or shown again with its errors and the
     values it received) — the draft is dropped.
   When a page is shown again to a signed-in person, its drafts are put back into its forms, with a status message.
   A draft carries an opaque mark of whose it is (data-drafts-owner): someone else who signs in next in the same tab
   never sees it, it is dropped instead; signing out (a form marked data-drafts-forget) drops every draft.

   Never kept: passwords, one-time codes, anything whose name speaks of a secret or token, hidden and file fields,
   forms that hold a password field, and forms marked data-draft="off". */
(function () {
  "use strict";

  const PREFIX = "coalition.draft:";
  const MAX_AGE_MS = 24 * 60 * 60 * 1000;
  const SKIPPED_TYPES = new Set([
    "password", "hidden", "file", "submit", "button", "reset", "image", "checkbox", "radio",
  ]);
  const SECRET_NAME = /pass|secret|token|otp|csrf|recovery|totp|webauthn|credential/i;

  let store = null;
  try {
    store = window.sessionStorage;
  } catch (error) {
    return; /* storage refused: no drafts, the forms work as before */
  }
  const signedIn = document.body.dataset.sessionSecondsLeft !== undefined;
  const refused = document.body.hasAttribute("data-form-refused");
  const owner = document.body.dataset.draftsOwner || "";

  function keptForm(form) {
    return (
      form instanceof HTMLFormElement &&
      form.method === "post" &&
      form.dataset.draft !== "off" &&
      !form.querySelector("input[type=password], [autocomplete=one-time-code], [autocomplete$=password]")
    );
  }

  function keptFields(form) {
    return Array.from(form.elements).filter((field) => {
      if (!field.name || field.disabled || SECRET_NAME.test(field.name)) {
        return false;
      }
      if (field instanceof HTMLTextAreaElement) {
        return true;
      }
      if (field instanceof HTMLSelectElement) {
        return !field.multiple;
      }
      return field instanceof HTMLInputElement && !SKIPPED_TYPES.has(field.type);
    });
  }

  function changed(field) {
    if (field instanceof HTMLSelectElement) {
      const option = field.options[field.selectedIndex];
      return Boolean(option) && !option.defaultSelected;
    }
    return field.value !== field.defaultValue;
  }

  function keyOf(form) {
    const action = form.getAttribute("action") || "";
    const alike = Array.from(document.forms).filter((other) => (other.getAttribute("action") || "") === action);
    return `${PREFIX}${window.location.pathname}|${action}|${alike.indexOf(form)}`;
  }

  function read(key) {
    try {
      return JSON.parse(store.getItem(key) || "null");
    } catch (error) {
      return null;
    }
  }

  function write(key, draft) {
    try {
      store.setItem(key, JSON.stringify(draft));
    } catch (error) {
      /* quota: the draft is not kept, the form still works */
    }
  }

  function save(form) {
    const fields = {};
    for (const field of keptFields(form)) {
      if (changed(field)) {
        fields[field.name] = field.value;
      }
    }
    const key = keyOf(form);
    if (Object.keys(fields).length === 0) {
      store.removeItem(key);
    } else {
      write(key, { fields, owner, savedAt: Date.now(), state: "typing" });
    }
  }

  function forgetAll() {
    for (const key of Object.keys(store)) {
      if (key.startsWith(PREFIX)) {
        store.removeItem(key);
      }
    }
  }

  /* What happened to the drafts of forms sent from the page before this one (see the top of this file). */
  function settle() {
    for (const key of Object.keys(store)) {
      if (!key.startsWith(PREFIX)) {
        continue;
      }
      const draft = read(key);
      if (!draft || Date.now() - draft.savedAt > MAX_AGE_MS || (signedIn && draft.owner !== owner)) {
        store.removeItem(key);
      } else if (draft.state === "sent") {
        if (signedIn && !refused) {
          store.removeItem(key);
        } else {
          write(key, { ...draft, state: "interrupted" });
        }
      }
    }
  }

  function restore() {
    let restored = false;
    for (const form of Array.from(document.forms).filter(keptForm)) {
      const key = keyOf(form);
      const draft = read(key);
      if (!draft || !draft.fields) {
        continue;
      }
      for (const field of keptFields(form)) {
        if (Object.hasOwn(draft.fields, field.name)) {
          field.value = draft.fields[field.name];
          restored = true;
        }
      }
      write(key, { ...draft, state: "typing" });
    }
    const status = document.getElementById("draft-status");
    const template = document.getElementById("draft-restored");
    if (restored && status && template) {
      status.replaceChildren(template.content.cloneNode(true));
    }
  }

  settle();
  if (!signedIn) {
    return; /* nobody's work to keep on a page for the public or on the sign-in pages */
  }
  restore();
  for (const kind of ["input", "change"]) {
    document.addEventListener(kind, (event) => {
      const form = event.target.form;
      if (form && keptForm(form)) {
        save(form);
      }
    });
  }
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-drafts-forget")) {
      forgetAll();
      return;
    }
    if (!keptForm(form)) {
      return;
    }
    const key = keyOf(form);
    const draft = read(key);
    if (draft) {
      write(key, { ...draft, state: "sent" });
    }
  });
})();
