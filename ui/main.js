// Minimal counter view: the Rust side parses; this file only renders.
const invoke = window.__TAURI__.core.invoke;
const input = document.getElementById("scan");
const verdict = document.getElementById("verdict");
const fields = document.getElementById("fields");
const diagnosis = document.getElementById("diagnosis");

function show(view) {
  verdict.className = view.ok ? "ok" : "bad";
  verdict.textContent = view.ok ? "Valid pack code" : view.error.message;
  fields.replaceChildren();
  for (const [label, value] of [["Product", view.product_code], ["Batch", view.batch],
    ["Expiry", view.expiry_date], ["Serial", view.serial]]) {
    if (value === undefined) continue;
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = value;
    fields.append(dt, dd);
  }
  diagnosis.replaceChildren(...view.diagnosis.map((d) => {
    const li = document.createElement("li");
    li.textContent = `${d.message} ${d.fix}`;
    return li;
  }));
}

input.addEventListener("keydown", async (event) => {
  if (event.key !== "Enter") return;
  const text = input.value.replaceAll("<GS>", "\u001d");
  input.value = "";
  show(await invoke("parse_scan", { text }));
});
