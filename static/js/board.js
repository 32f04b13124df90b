// The pipeline board: drag a card to another column to move the opportunity to that stage.
// The server answers with the whole board, so counts and totals come back up to date.
// Without JavaScript (and on touch screens) each card's stage select does the same.
(() => {
  let dragged = null;

  // Each card carries its move address in its own no-JavaScript form.
  const moveUrl = (card) => card.querySelector("form.board-move").getAttribute("action");

  const columnOf = (element) => (element instanceof Element ? element.closest(".board-column") : null);

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) return meta.content;
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch {
      return "";
    }
  }

  function clearTargets() {
    document.querySelectorAll(".board-column.drop-target").forEach((column) => column.classList.remove("drop-target"));
  }

  function move(card, column, lostReason) {
    // Show the card where it was dropped at once; the board from the server replaces it.
    const cards = column.querySelector(".board-cards");
    if (cards) cards.prepend(card);
    const values = { stage: column.dataset.stage };
    if (lostReason) values.lost_reason = lostReason;
    const board = document.getElementById("board");
    htmx.ajax("POST", moveUrl(card) + window.location.search, {
      source: board,
      target: board,
      swap: "innerHTML",
      values,
      headers: { "X-CSRFToken": csrfToken() },
    });
  }

  function askLostReason(card, column) {
    const dialog = document.getElementById("lost-dialog");
    const select = dialog.querySelector("select");
    select.value = "";
    dialog.returnValue = "";
    dialog.addEventListener(
      "close",
      () => {
        if (dialog.returnValue === "confirm" && select.value) move(card, column, select.value);
      },
      { once: true },
    );
    dialog.showModal();
    select.focus();
  }

  document.addEventListener("dragstart", (event) => {
    const card = event.target instanceof Element ? event.target.closest(".board-card") : null;
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", moveUrl(card));
    card.classList.add("dragging");
  });

  document.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    clearTargets();
  });

  document.addEventListener("dragover", (event) => {
    const column = columnOf(event.target);
    if (!column || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!column.classList.contains("drop-target")) {
      clearTargets();
      column.classList.add("drop-target");
    }
  });

  document.addEventListener("drop", (event) => {
    const column = columnOf(event.target);
    if (!column || !dragged) return;
    event.preventDefault();
    const card = dragged;
    card.classList.remove("dragging");
    dragged = null;
    clearTargets();
    if (column === columnOf(card)) return;
    if (column.dataset.lost === "true") askLostReason(card, column);
    else move(card, column, "");
  });

  // A move the server refused (or could not answer) puts the board back as it is.
  document.addEventListener("htmx:responseError", (event) => {
    if (event.detail.target && event.detail.target.id === "board") {
      htmx.ajax("GET", window.location.href, { target: "#board", swap: "innerHTML" });
    }
  });
})();
