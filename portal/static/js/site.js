// Progressive enhancement only: the menu works without JavaScript (it is
// simply always open on small screens then).
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector(".main-nav__toggle");
  const list = document.getElementById("hoofdmenu");
  if (!toggle || !list) return;
  document.documentElement.classList.add("js");
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") === "true";
    toggle.setAttribute("aria-expanded", String(!open));
    list.classList.toggle("is-open", !open);
  });
});
