import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach } from "vitest";

afterEach(() => {
  clearMocks();
  document.body.innerHTML = "";
  delete document.body.dataset.ready;
});
