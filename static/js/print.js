// Buttons marked data-print open the browser's print dialog (print or save as PDF); the
// print stylesheet in keel.css drops the navigation and starts each partner on a new page.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
