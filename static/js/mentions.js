// @mention suggestions in comment and message forms: type "@" and a few letters, pick a colleague.
(() => {
  const TYPED = /(^|[^\w@.+-])@([\w.+-]{1,30})$/;
  let timer = null;

  function listFor(textarea) {
    const form = textarea.closest("form[data-mention-url]");
    return form ? form.querySelector(".mention-suggestions") : null;
  }

  function hide(list) {
    list.hidden = true;
    list.replaceChildren();
  }

  function pick(textarea, username) {
    const caret = textarea.selectionStart;
    const before = textarea.value.slice(0, caret).replace(TYPED, (all, lead) => `${lead}@${username} `);
    textarea.value = before + textarea.value.slice(caret);
    textarea.focus();
    textarea.setSelectionRange(before.length, before.length);
  }

  function show(textarea, users) {
    const list = listFor(textarea);
    if (!list) return;
    list.replaceChildren();
    for (const user of users) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "list-group-item list-group-item-action py-1";
      button.textContent = `@${user.username} · ${user.name}`;
      button.addEventListener("click", () => {
        pick(textarea, user.username);
        hide(list);
      });
      list.append(button);
    }
    list.hidden = users.length === 0;
  }

  document.addEventListener("input", (event) => {
    const textarea = event.target.closest("textarea[data-mention-input]");
    const list = textarea && listFor(textarea);
    if (!list) return;
    const typed = textarea.value.slice(0, textarea.selectionStart).match(TYPED);
    clearTimeout(timer);
    if (!typed) {
      hide(list);
      return;
    }
    // The form's address may already ask something (a message form names its conversation).
    const url = new URL(textarea.form.dataset.mentionUrl, window.location.href);
    url.searchParams.set("q", typed[2]);
    timer = setTimeout(() => {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : { users: [] }))
        .then((data) => show(textarea, data.users))
        .catch(() => hide(list));
    }, 200);
  });

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const textarea = event.target.closest("textarea[data-mention-input]");
    const list = textarea && listFor(textarea);
    if (list) hide(list);
  });
})();
