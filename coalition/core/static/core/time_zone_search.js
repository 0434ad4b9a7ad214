/* A search box in front of each time-zone <select> (data-zone-search holds its label): typing "paris" or "new york"
   leaves only the zones whose name holds it, and hides the regions left empty. The select stays the form's field and
   works alone without this script (type-ahead, arrow keys); the script only narrows what it lists. Loaded once per
   select, so it marks the selects it has done. */
(function () {
  "use strict";

  function normalised(text) {
    return text.toLowerCase().replace(/[_/]+/g, " ").replace(/\s+/g, " ").trim();
  }

  function narrow(select, query) {
    const wanted = normalised(query);
    select.querySelectorAll("option").forEach(function (option) {
      const text = normalised(option.value + " " + option.textContent);
      option.hidden = wanted !== "" && !option.selected && text.indexOf(wanted) === -1;
    });
    select.querySelectorAll("optgroup").forEach(function (group) {
      group.hidden = !group.querySelector("option:not([hidden])");
    });
  }

  function enhance(select) {
    if (select.dataset.zoneSearchReady) {
      return;
    }
    select.dataset.zoneSearchReady = "1";
    const box = document.createElement("input");
    box.type = "search";
    box.id = select.id + "-search";
    box.className = "zone-search";
    box.autocomplete = "off";
    box.setAttribute("aria-controls", select.id);
    const label = document.createElement("label");
    label.htmlFor = box.id;
    label.textContent = select.dataset.zoneSearch;
    label.className = "small";
    const line = document.createElement("div");  /* its own line above the select, without a stylesheet of its own */
    line.append(label, document.createTextNode(" "), box);
    select.before(line);
    box.addEventListener("input", function () {
      narrow(select, box.value);
    });
  }

  document.querySelectorAll("select[data-zone-search]").forEach(enhance);
})();
