// Tend's page behaviour, as listeners on the document: the Content-Security-Policy refuses
// inline <script> and on*= attributes, so markup says what it wants with data- attributes.

// <form data-confirm="Delete this?">: ask before submitting.
document.addEventListener(
  "submit",
  (event) => {
    const message = event.target.dataset && event.target.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  },
  true,
);

// <select data-submit-on-change>: choosing an option submits its form.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field.matches && field.matches("[data-submit-on-change]") && field.form) {
    field.form.requestSubmit();
  }
});

// <input type="checkbox" data-select-all="customer">: ticks or unticks every checkbox named
// "customer" in the same form (bulk actions on a list).
document.addEventListener("change", (event) => {
  const box = event.target;
  const name = box.dataset && box.dataset.selectAll;
  if (!name || !box.form) return;
  for (const other of box.form.querySelectorAll(`input[type="checkbox"][name="${CSS.escape(name)}"]`)) {
    other.checked = box.checked;
  }
});
