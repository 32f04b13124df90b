// Behaviour that would otherwise need inline scripts, which the CSP forbids.
document.addEventListener("change", (event) => {
  const form = event.target.closest("form.js-autosubmit");
  if (form) form.submit();
});
// After an htmx form logs something, reset it for the next entry.
document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.target.closest("form.js-reset-on-success");
  if (form && event.detail.successful) form.reset();
});
