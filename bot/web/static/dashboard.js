// Dondoc dashboard: click a table header to sort by that column (again to reverse).
(function () {
  "use strict";
  function value(row, index, numeric) {
    var cell = row.cells[index];
    var raw = cell ? (cell.dataset.value !== undefined && cell.dataset.value !== ""
      ? cell.dataset.value : cell.textContent) : "";
    return numeric ? parseFloat(raw) || 0 : raw.toLocaleLowerCase("vi");
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th").forEach(function (th, index) {
      th.tabIndex = 0;
      th.addEventListener("click", function () {
        var numeric = th.dataset.kind === "num";
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = value(a, index, numeric), y = value(b, index, numeric);
          var order = numeric ? x - y : x.localeCompare(y, "vi");
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { th.click(); }
      });
    });
  });
})();
// Forms with data-confirm (revoking an official's access) ask before they are sent.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
})();
// A file input with data-max-bytes refuses a larger file before it is sent (the server
// refuses it too, but only after the browser has sent that much).
(function () {
  "use strict";
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () {
      var limit = parseInt(input.dataset.maxBytes, 10);
      var big = Array.prototype.some.call(input.files, function (file) { return file.size > limit; });
      input.setCustomValidity(big ? input.dataset.tooBig : "");
      if (big) { input.reportValidity(); }
    });
  });
})();
