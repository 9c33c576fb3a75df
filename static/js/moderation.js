// The moderation queue's keyboard shortcuts and in-place decisions. Plain JavaScript, no
// framework. Without it the queue still works: every decision is an ordinary form post.
//
//   j / k   next / previous comment        a   approve the selected comment
//   r       reject: focus the reason; 1-7 picks one and sends, Enter sends the chosen one
//   x       tick the comment for a bulk decision
//   ?       show or hide the help          Esc leave a field, close the help
(() => {
  "use strict";

  const queue = document.querySelector("[data-queue]");
  if (!queue) return;
  const help = queue.querySelector("[data-shortcut-help]");
  let current = null;

  const items = () => Array.from(queue.querySelectorAll("[data-queue-item]"));

  function select(item) {
    if (!item) return;
    if (current) current.classList.remove("is-current");
    current = item;
    item.classList.add("is-current");
    item.focus({ preventScroll: true });
    item.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    const list = items();
    if (!list.length) return;
    const index = list.indexOf(current);
    if (index === -1) return select(list[step > 0 ? 0 : list.length - 1]);
    select(list[Math.min(Math.max(index + step, 0), list.length - 1)]);
  }

  function updateCounts(counts) {
    for (const [status, count] of Object.entries(counts)) {
      for (const badge of queue.querySelectorAll(`[data-count="${status}"]`)) {
        badge.textContent = count;
      }
    }
  }

  // Send a decision and swap the comment for the server's re-rendered version of it.
  async function decide(form) {
    const item = form.closest("[data-queue-item]");
    const wasCurrent = item === current;
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Queue-Fragment": "1" },
      credentials: "same-origin",
    });
    if (!(response.headers.get("Content-Type") || "").startsWith("text/html")) {
      throw new Error(`unexpected answer ${response.status}`);
    }
    const template = document.createElement("template");
    template.innerHTML = (await response.text()).trim();
    const replacement = template.content.firstElementChild;
    item.replaceWith(replacement);
    updateCounts(JSON.parse(response.headers.get("X-Queue-Counts") || "{}"));
    if (!wasCurrent) return;
    current = replacement;
    // After a decision, go on to the next comment, as a moderator working down the list would.
    if (response.ok) move(1);
    else select(replacement);
  }

  queue.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.matches("[data-decision]")) return;
    event.preventDefault();
    // If fetch fails (offline, server error), fall back to the plain form post.
    decide(form).catch(() => form.submit());
  });

  queue.addEventListener("click", (event) => {
    const item = event.target.closest("[data-queue-item]");
    if (item && item !== current) {
      if (current) current.classList.remove("is-current");
      current = item;
      item.classList.add("is-current");
    }
  });

  function startRejecting(item) {
    const reason = item.querySelector("[data-decision='reject'] select[name='reason']");
    if (reason) reason.focus();
  }

  function typingInField(target) {
    return target.closest("input, textarea, select, [contenteditable]") !== null;
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;

    // In a reason list: a digit picks the reason and sends; Enter sends the chosen one.
    if (target.matches && target.matches("[data-decision='reject'] select[name='reason']")) {
      const digit = Number.parseInt(event.key, 10);
      if (digit >= 1 && digit < target.options.length) {
        event.preventDefault();
        target.selectedIndex = digit;
        target.form.requestSubmit();
        return;
      }
      if (event.key === "Enter") {
        event.preventDefault();
        target.form.requestSubmit();
        return;
      }
    }
    if (event.key === "Escape") {
      if (help && help.open) help.open = false;
      if (typingInField(target)) {
        const item = target.closest("[data-queue-item]");
        if (item) select(item);
        else target.blur();
      }
      return;
    }
    if (typingInField(target)) return;

    switch (event.key) {
      case "j":
        move(1);
        break;
      case "k":
        move(-1);
        break;
      case "a": {
        const approve = current && current.querySelector("[data-decision='approve']");
        if (approve) approve.requestSubmit();
        break;
      }
      case "r":
        if (current) startRejecting(current);
        break;
      case "x": {
        const tick = current && current.querySelector("input[type='checkbox'][name='comments']");
        if (tick) tick.checked = !tick.checked;
        break;
      }
      case "?":
        if (help) help.open = !help.open;
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  queue.dataset.keyboard = "ready"; // for the browser tests: the shortcuts now work
})();
