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
