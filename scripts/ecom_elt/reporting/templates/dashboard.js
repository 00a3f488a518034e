/* Table filters: type to narrow the rows, tick to keep only the problems. No network, no data. */
(function () {
  "use strict";
  var inputs = document.querySelectorAll("input[data-filter]");
  Array.prototype.forEach.call(inputs, function (input) {
    var table = document.getElementById(input.getAttribute("data-filter"));
    var toggle = document.querySelector("input[data-problems='" + input.getAttribute("data-filter") + "']");
    var counter = document.querySelector("[data-count='" + input.getAttribute("data-filter") + "']");
    if (!table) { return; }
    function apply() {
      var needle = input.value.trim().toLowerCase();
      var onlyProblems = toggle ? toggle.checked : false;
      var shown = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var match = !needle || row.textContent.toLowerCase().indexOf(needle) !== -1;
        var keep = match && (!onlyProblems || row.getAttribute("data-problem") === "1");
        row.hidden = !keep;
        if (keep) { shown += 1; }
      });
      if (counter) { counter.textContent = shown + " of " + table.tBodies[0].rows.length + " shown"; }
    }
    input.addEventListener("input", apply);
    if (toggle) { toggle.addEventListener("change", apply); }
    apply();
  });
}());
