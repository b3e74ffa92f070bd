// The order form's running totals: each line's amount and the order total, in the order's
// currency, as the numbers are typed. The server computes the stored amounts; this only shows.
(function () {
  "use strict";
  const form = document.getElementById("order-form");
  if (!form) return;
  const currencyInput = form.querySelector("[name=currency]");
  const total = document.getElementById("order-total");

  function number(row, suffix) {
    const input = row.querySelector(`[name$="-${suffix}"]`);
    const value = input ? parseFloat(input.value) : NaN;
    return Number.isFinite(value) ? value : null;
  }

  function update() {
    let sum = 0;
    form.querySelectorAll("tr.order-line").forEach(function (row) {
      const quantity = number(row, "quantity");
      const price = number(row, "unit_price");
      const discount = number(row, "discount_pct") || 0;
      const removed = row.querySelector('[name$="-DELETE"]');
      const cell = row.querySelector(".line-amount");
      if (quantity === null || price === null || (removed && removed.checked)) {
        if (cell && quantity === null) cell.textContent = "";
        return;
      }
      const amount = Math.round(quantity * price * (100 - discount)) / 100;
      sum += amount;
      if (cell) cell.textContent = amount.toFixed(2);
    });
    const currency = currencyInput ? currencyInput.value.toUpperCase() : "";
    total.textContent = `${sum.toFixed(2)} ${currency}`;
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
