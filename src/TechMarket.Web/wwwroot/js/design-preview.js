/* Demo wiring for design-preview.html only. */
document.addEventListener("click", function (e) {
  var btn = e.target.closest && e.target.closest("[data-demo-toast]");
  if (btn && window.techmarket) window.techmarket.toast("已保存到草稿箱", btn.getAttribute("data-demo-toast"));
});
