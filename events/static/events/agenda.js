// On a small screen the agenda's filters start folded away, so the events come into
// view first; with a filter active they stay open. Without JavaScript they are open.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-agenda-filters]");
  if (!box || box.hasAttribute("data-filtered")) return;
  if (window.matchMedia("(max-width: 48rem)").matches) box.removeAttribute("open");
});
