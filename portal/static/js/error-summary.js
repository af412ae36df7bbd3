// The error summary above a form that was sent back takes focus on load, so it is
// read first; its links move focus to the field (with its label in view).
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    const target = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!target) return;
    event.preventDefault();
    (target.closest("fieldset, .field") || target).scrollIntoView();
    target.focus({ preventScroll: true });
  });
});
