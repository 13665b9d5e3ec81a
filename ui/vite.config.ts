import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vitest/config";

export default defineConfig(({ mode }) => ({
  // Relative asset paths: Tauri serves the built files from its own origin.
  base: "./",
  plugins: [svelte()],
  clearScreen: false,
  server: { port: 1420, strictPort: true },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Never turn assets into data: URLs or inline code (strict CSP).
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  // Tests (Vitest runs in mode "test") use Svelte's browser build in jsdom.
  resolve: mode === "test" ? { conditions: ["browser"] } : undefined,
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
    setupFiles: ["src/test/setup.ts"],
    restoreMocks: true,
    // Keep app.css's text (Vitest empties CSS by default): tests read its rules.
    css: { include: [/app\.css/] },
  },
}));
