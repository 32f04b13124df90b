// Keep an open conversation scrolled to its newest message as messages arrive.
(() => {
  function scrollToNewest() {
    const box = document.getElementById("conversation-scroll");
    if (box) box.scrollTop = box.scrollHeight;
  }
  document.addEventListener("DOMContentLoaded", scrollToNewest);
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.target && event.detail.target.id === "message-list") scrollToNewest();
  });
})();
